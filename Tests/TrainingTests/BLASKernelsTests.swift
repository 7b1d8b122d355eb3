import Testing
import TensorMath
@testable import Training

@Suite("BLAS kernel selection")
struct BLASKernelsTests {
    @Test("after selecting kernels for this CPU, sgemm matches the reference product in every transpose mode")
    func gemmAfterSelection() {
        let core = BLASKernels.selectForThisCPU()
        #expect(!core.isEmpty && core == BLASKernels.coreName)
        var random = SeededStream(seed: 5)
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
