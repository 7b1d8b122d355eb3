import Foundation

@_silgen_name("gotoblas_dynamic_init") private func openBLASDynamicInit()
@_silgen_name("gotoblas_dynamic_quit") private func openBLASDynamicQuit()
@_silgen_name("openblas_get_corename") private func openBLASCoreName() -> UnsafeMutablePointer<CChar>?

/// Makes OpenBLAS use kernels that fit this CPU when its start-up detection fell back to generic ones.
///
/// Debian's OpenBLAS is built with DYNAMIC_ARCH and picks its kernels by CPU family and model when the library
/// loads. On virtual CPUs that report an unknown model (e.g. "Intel(R) Xeon(R) Processor") it falls back to
/// Prescott (SSE3) kernels, about 3× slower for our GEMMs. When `OPENBLAS_CORETYPE` is not set and the core is
/// Prescott although the CPU has AVX-512 or AVX2 with FMA, this re-runs OpenBLAS's kernel selection with the
/// matching core type (what setting `OPENBLAS_CORETYPE` before start would do).
public enum BLASKernels {
    /// The OpenBLAS core type in use, e.g. `SkylakeX`.
    public static var coreName: String { openBLASCoreName().map { String(cString: $0) } ?? "unknown" }

    /// Selects the kernels once per process (later calls do nothing); returns the core type in use.
    @discardableResult
    public static func selectForThisCPU() -> String { selection }

    private static let selection: String = {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, coreName == "Prescott" else {
            return coreName
        }
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            return coreName
        }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let core: String
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) {
            core = "SkylakeX"
        } else if flags.isSuperset(of: ["avx2", "fma"]) {
            core = "Haswell"
        } else {
            return coreName
        }
        setenv("OPENBLAS_CORETYPE", core, 1)
        openBLASDynamicQuit()
        openBLASDynamicInit()
        return coreName
    }()
}
