import COpenBLAS
import Foundation

/// Matrix products on row-major `Float` matrices, backed by OpenBLAS `cblas_sgemm`, plus a naive reference.
///
/// All matrices are row-major with explicit leading dimensions (the row stride in elements), so column
/// slices such as one attention head of a `[tokens × hidden]` matrix can be passed with `lda = hidden`.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for every later call (process-wide).
    ///
    /// Use 2 on this machine for one model workspace; use 1 when several workers call BLAS concurrently.
    /// Also makes sure OpenBLAS uses kernels that fit the CPU (see `kernelName`).
    public static func setThreadCount(_ count: Int) {
        _ = kernelSelection
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The OpenBLAS kernel set in use (for example `SkylakeX`, `Haswell`).
    public static var kernelName: String {
        _ = kernelSelection
        return openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// Runs once: OpenBLAS 0.3.21 (Debian 12) does not recognise some virtualised CPUs (for example one
    /// reporting "Intel(R) Xeon(R) Processor" with AVX-512) and falls back to its Prescott SSE3 kernels, about
    /// 4–8× slower. When the detected kernel set is older than the CPU's flags and `OPENBLAS_CORETYPE` is
    /// not set, this selects SkylakeX (AVX-512) or Haswell (AVX2 + FMA) kernels through OpenBLAS's
    /// `gotoblas_dynamic_quit`/`gotoblas_dynamic_init` (re-running its own dispatch with the variable set).
    @usableFromInline
    static let kernelSelection: Void = {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let name = openblas_get_corename().map({ String(cString: $0).lowercased() }),
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let avx512Kernels: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
        let avx2Kernels = avx512Kernels.union(["haswell", "zen"])
        let wanted: String
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains), !avx512Kernels.contains(name) {
            wanted = "SkylakeX"
        } else if ["avx2", "fma"].allSatisfy(flags.contains), !avx2Kernels.contains(name) {
            wanted = "Haswell"
        } else {
            return
        }
        guard let quit = dlsym(nil, "gotoblas_dynamic_quit"), let initialize = dlsym(nil, "gotoblas_dynamic_init") else {
            return
        }
        typealias Function = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        unsafeBitCast(quit, to: Function.self)()
        unsafeBitCast(initialize, to: Function.self)()
        unsetenv("OPENBLAS_CORETYPE")
    }()

    /// The number of threads OpenBLAS currently uses.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// `C = alpha · op(A) · op(B) + beta · C`, with `op(A)` `[m × k]`, `op(B)` `[k × n]`, `C` `[m × n]`.
    ///
    /// - Parameters:
    ///   - transposeA: when true `A` is stored `[k × m]` and used transposed.
    ///   - transposeB: when true `B` is stored `[n × k]` and used transposed.
    ///   - lda, ldb, ldc: row strides of the stored matrices (in elements).
    @inlinable
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false,
                            m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        _ = kernelSelection
        if k == 0 {
            scaleMatrix(c, rows: m, columns: n, ld: ldc, beta: beta)
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `y = alpha · op(A) · x + beta · y` with `A` stored `[rows × columns]` (row stride `lda`); `op(A)` is `A`
    /// or `Aᵀ`.
    @inlinable
    public static func gemv(transpose: Bool = false, rows: Int, columns: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                            beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        if rows == 0 || columns == 0 {
            let outCount = transpose ? columns : rows
            for i in 0..<outCount { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns),
                    alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// `C *= beta` (with `beta == 0` writing exact zeros, as BLAS does).
    @usableFromInline
    static func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int, beta: Float) {
        for i in 0..<rows {
            for j in 0..<columns { c[i * ld + j] = beta == 0 ? 0 : beta * c[i * ld + j] }
        }
    }

    /// The same product as `gemm`, by a naive triple loop accumulating in `Double`: the test oracle.
    public static func referenceGemm(transposeA: Bool = false, transposeB: Bool = false,
                                     m: Int, n: Int, k: Int, alpha: Float = 1,
                                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                     beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}
