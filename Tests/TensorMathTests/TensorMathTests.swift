import Basics
import Foundation
import Testing
@testable import TensorMath

private func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    let tensor = Tensor(shape: shape)
    var rng = SplitMix64(seed: seed)
    rng.fillGaussian(tensor.pointer, count: tensor.count, standardDeviation: scale)
    return tensor
}

@Suite("BLAS")
struct BLASTests {
    @Test("gemm matches the naive reference for every transpose, odd shapes, strides and beta",
          arguments: [(false, false), (false, true), (true, false), (true, true)])
    func gemmMatchesReference(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let m = 7, n = 5, k = 9, pad = 3
        let lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad
        let a = randomTensor([(ta ? k : m) * lda], seed: 1)
        let b = randomTensor([(tb ? n : k) * ldb], seed: 2)
        let c1 = randomTensor([m * ldc], seed: 3)
        let c2 = Tensor(shape: [m * ldc], values: c1.toArray())
        BLAS.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.7, a: a.pointer, lda: lda,
                  b: b.pointer, ldb: ldb, beta: 0.3, c: c1.pointer, ldc: ldc)
        BLAS.referenceGemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.7, a: a.pointer, lda: lda,
                           b: b.pointer, ldb: ldb, beta: 0.3, c: c2.pointer, ldc: ldc)
        for i in 0..<m {
            for j in 0..<n { #expect(abs(c1[i * ldc + j] - c2[i * ldc + j]) < 1e-5) }
            for j in n..<ldc { #expect(c1[i * ldc + j] == c2[i * ldc + j]) }   // padding untouched
        }
    }

    @Test("a known 2×2 product")
    func knownProduct() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], values: [5, 6, 7, 8])
        let c = Tensor(shape: [2, 2])
        BLAS.gemm(m: 2, n: 2, k: 2, a: a.pointer, lda: 2, b: b.pointer, ldb: 2, c: c.pointer, ldc: 2)
        #expect(c.toArray() == [19, 22, 43, 50])
        BLAS.referenceGemm(transposeB: true, m: 2, n: 2, k: 2, a: a.pointer, lda: 2, b: b.pointer, ldb: 2,
                           c: c.pointer, ldc: 2)
        #expect(c.toArray() == [17, 23, 39, 53])
    }

    @Test("gemv with and without transpose")
    func gemv() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let x3 = Tensor(shape: [3], values: [1, 0, -1])
        let x2 = Tensor(shape: [2], values: [1, 1])
        let y2 = Tensor(shape: [2]), y3 = Tensor(shape: [3])
        BLAS.gemv(rows: 2, columns: 3, a: a.pointer, lda: 3, x: x3.pointer, y: y2.pointer)
        BLAS.gemv(transpose: true, rows: 2, columns: 3, a: a.pointer, lda: 3, x: x2.pointer, y: y3.pointer)
        #expect(y2.toArray() == [-2, -2])
        #expect(y3.toArray() == [5, 7, 9])
    }
}

@Suite("SIMD kernels")
struct KernelTests {
    @Test("exp and tanh match libm")
    func transcendentals() {
        var values: [Float] = []
        var x: Float = -30
        while x <= 30 { values.append(x); x += 0.0137 }
        values += [0, -0.0, 1e-6, -1e-6, 80, -80, 100, -100]
        let e = Tensor(shape: [values.count], values: values)
        let t = Tensor(shape: [values.count], values: values)
        VectorMath.expInPlace(e.pointer, count: e.count)
        VectorMath.tanhInPlace(t.pointer, count: t.count)
        for (i, v) in values.enumerated() {
            let expected = Foundation.exp(Double(min(v, 88.37)))
            if v > -80 { #expect(abs(Double(e[i]) - expected) <= 4e-7 * expected, "exp(\(v)) = \(e[i])") }
            #expect(e[i] >= 0 && e[i].isFinite)
            let expectedTanh = Foundation.tanh(Double(v))
            #expect(abs(Double(t[i]) - expectedTanh) <= 4e-7 * max(abs(expectedTanh), 1e-3), "tanh(\(v)) = \(t[i])")
            #expect(abs(t[i]) <= 1)
        }
    }

    @Test("dot, sum, axpy and column sums on odd lengths")
    func reductions() {
        for count in [0, 1, 15, 16, 17, 33, 100] {
            let a = randomTensor([max(count, 1)], seed: 5), b = randomTensor([max(count, 1)], seed: 6)
            var dot = 0.0, sum = 0.0
            for i in 0..<count { dot += Double(a[i]) * Double(b[i]); sum += Double(a[i]) }
            #expect(abs(Double(VectorMath.dot(a.pointer, b.pointer, count: count)) - dot) < 1e-5)
            #expect(abs(Double(VectorMath.sum(a.pointer, count: count)) - sum) < 1e-5)
            let y = Tensor(shape: [max(count, 1)], values: b.toArray())
            VectorMath.axpy(2, a.pointer, y.pointer, count: count)
            for i in 0..<count { #expect(y[i] == b[i] + 2 * a[i]) }
        }
        let m = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let sums = Tensor(shape: [2], values: [10, 20])
        VectorMath.accumulateColumnSums(m.pointer, rows: 3, columns: 2, into: sums.pointer)
        #expect(sums.toArray() == [19, 32])
        VectorMath.addBias(m.pointer, rows: 3, columns: 2, bias: sums.pointer)
        #expect(m.toArray() == [20, 34, 22, 36, 24, 38])
    }

    @Test("masked softmax: known values, exact zeros for padding, zero lane when all masked")
    func maskedSoftmax() {
        // 3 positions × 2 lanes; position 1 is padding.
        let s = Tensor(shape: [3, 2], values: [1, 0, 50, 50, 3, 0])
        let mask = Tensor(shape: [3], values: [1, 0, 1])
        let scratch = Tensor(shape: [4])
        VectorMath.maskedSoftmax(s.pointer, positions: 3, lanes: 2, mask: mask.pointer, scale: 0.5,
                                 workspace: scratch.pointer)
        let p0 = 1 / (1 + Foundation.exp(1.0))
        #expect(abs(Double(s[0]) - p0) < 1e-6)
        #expect(abs(Double(s[4]) - (1 - p0)) < 1e-6)
        #expect(abs(s[1] - 0.5) < 1e-6 && abs(s[5] - 0.5) < 1e-6)
        #expect(s[2] == 0 && s[3] == 0)
        let empty = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let none = Tensor(shape: [2])
        VectorMath.maskedSoftmax(empty.pointer, positions: 2, lanes: 2, mask: none.pointer, scale: 1,
                                 workspace: scratch.pointer)
        #expect(empty.toArray() == [0, 0, 0, 0])
    }

    @Test("masked softmax backward matches finite differences")
    func softmaxBackward() {
        let positions = 5, lanes = 3, scale: Float = 0.7
        let s = randomTensor([positions, lanes], seed: 9)
        let weights = randomTensor([positions, lanes], seed: 10)
        let mask = Tensor(shape: [positions], values: [1, 1, 0, 1, 0])
        let scratch = Tensor(shape: [2 * lanes])
        func loss(_ scores: [Float]) -> Double {
            let t = Tensor(shape: [positions, lanes], values: scores)
            VectorMath.maskedSoftmax(t.pointer, positions: positions, lanes: lanes, mask: mask.pointer, scale: scale,
                                     workspace: scratch.pointer)
            return (0..<t.count).reduce(0.0) { $0 + Double(t[$1]) * Double(weights[$1]) }
        }
        let p = Tensor(shape: [positions, lanes], values: s.toArray())
        VectorMath.maskedSoftmax(p.pointer, positions: positions, lanes: lanes, mask: mask.pointer, scale: scale,
                                 workspace: scratch.pointer)
        let g = Tensor(shape: [positions, lanes], values: weights.toArray())
        VectorMath.maskedSoftmaxBackward(probabilities: p.pointer, gradient: g.pointer, positions: positions,
                                         lanes: lanes, scale: scale, workspace: scratch.pointer)
        for i in 0..<s.count {
            var plus = s.toArray(), minus = s.toArray()
            plus[i] += 1e-2
            minus[i] -= 1e-2
            let numeric = (loss(plus) - loss(minus)) / 2e-2
            #expect(abs(numeric - Double(g[i])) < 2e-3, "index \(i): \(numeric) vs \(g[i])")
        }
    }

    @Test("dropout: deterministic per seed, rate close to p, scaled survivors, same mask for any offset split")
    func dropout() {
        let n = 100_000
        let x = Tensor(shape: [n], values: Array(repeating: 1, count: n))
        let y1 = Tensor(shape: [n]), y2 = Tensor(shape: [n]), y3 = Tensor(shape: [n])
        VectorMath.dropout(x.pointer, y1.pointer, count: n, probability: 0.2, seed: 42)
        VectorMath.dropout(x.pointer, y2.pointer, count: 1000, probability: 0.2, seed: 42)
        VectorMath.dropout(x.pointer + 1000, y2.pointer + 1000, count: n - 1000, probability: 0.2, seed: 42, offset: 1000)
        VectorMath.dropout(x.pointer, y3.pointer, count: n, probability: 0.2, seed: 43)
        #expect(y1.toArray() == y2.toArray())
        #expect(y1.toArray() != y3.toArray())
        let dropped = y1.toArray().filter { $0 == 0 }.count
        #expect(abs(Double(dropped) / Double(n) - 0.2) < 0.01)
        #expect(y1.toArray().allSatisfy { $0 == 0 || $0 == 1.25 })
    }
}

@Suite("Random numbers and parallel-for")
struct RandomTests {
    @Test("SplitMix64 reproduces the published first outputs for seed 0")
    func splitMixKnownValues() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("same seed, same Gaussians; moments close to N(0, 1)")
    func gaussians() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        let xs = (0..<20_000).map { _ in a.nextGaussian() }
        let ys = (0..<20_000).map { _ in b.nextGaussian() }
        #expect(xs == ys)
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }

    @Test("parallelFor covers every index exactly once")
    func parallelCoverage() {
        let counts = Tensor(shape: [1001])
        let out = DisjointWrites(counts.pointer)
        parallelFor(1001, threads: 4) { range in
            for i in range { out.base[i] += 1 }
        }
        #expect(counts.toArray().allSatisfy { $0 == 1 })
        parallelFor(0, threads: 2) { _ in Issue.record("no work expected") }
    }
}
