import Basics
import Foundation
import Testing
import TensorMath

@Suite("BLAS kernel selection")
struct BLASKernelsTests {
    @Test("OpenBLAS runs kernels newer than Prescott, and sgemm matches the reference product in every transpose mode")
    func gemmAfterSelection() {
        BLAS.setThreadCount(1)
        let core = BLAS.kernelName
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if cpuinfo.contains(" avx2 ") && cpuinfo.contains(" fma ") {
            #expect(core != "Prescott", "a CPU with AVX2 and FMA must not run the SSE3 kernels")
        }
        var random = SplitMix64(seed: 5, keys: [])
        let m = 37, n = 45, k = 301
        let a = (0..<(m * k)).map { _ in Float(random.nextIndex(below: 2001) - 1000) / 1000 }
        let b = (0..<(k * n)).map { _ in Float(random.nextIndex(below: 2001) - 1000) / 1000 }
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            var fast = [Float](repeating: 0, count: m * n), slow = fast
            let lda = transposeA ? m : k, ldb = transposeB ? k : n
            BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b,
                      ldb: ldb, c: &fast, ldc: n)
            BLAS.referenceGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda,
                               b: b, ldb: ldb, c: &slow, ldc: n)
            let largest = zip(fast, slow).map { abs($0 - $1) }.max()!
            #expect(largest < 1e-3, "core \(core), transposes \(transposeA) \(transposeB): \(largest)")
        }
    }
}
