import Basics
import TensorMath

/// A fully connected layer `y = x·Wᵀ + b` over many rows at once (one sgemm), with `W` stored `[out × in]`.
///
/// The layer holds only offsets into the flat parameter and gradient buffers; activations belong to the
/// caller. Shapes: `x [rows × in]`, `y [rows × out]`.
public struct Linear: Sendable {
    public let inputSize: Int
    public let outputSize: Int
    /// Offset of `weight [out × in]` in the parameter buffer.
    public let weight: Int
    /// Offset of `bias [out]`, or nil for a layer without bias.
    public let bias: Int?

    public init(inputSize: Int, outputSize: Int, weight: Int, bias: Int?) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.weight = weight
        self.bias = bias
    }

    /// The layer named `prefix` (`prefix.weight`, `prefix.bias`) in `layout`.
    init(_ layout: ParameterLayout, _ prefix: String, hasBias: Bool = true) {
        let entry = layout.entry(named: prefix + ".weight")!
        self.init(inputSize: entry.shape[1], outputSize: entry.shape[0], weight: entry.offset,
                  bias: hasBias ? layout.offset(of: prefix + ".bias") : nil)
    }

    /// `y = x·Wᵀ + b`, or `y += x·Wᵀ + b` when `accumulate`; the product in fixed row blocks over `threads`
    /// workers (`BLAS.blockedGemm`).
    public func forward(parameters p: UnsafePointer<Float>, input x: UnsafePointer<Float>, rows: Int,
                        output y: UnsafeMutablePointer<Float>, accumulate: Bool = false, threads: Int = 1) {
        BLAS.blockedGemm(transposeB: true, m: rows, n: outputSize, k: inputSize, a: x, lda: inputSize,
                         b: p + weight, ldb: inputSize, beta: accumulate ? 1 : 0, c: y, ldc: outputSize, threads: threads)
        if let bias {
            let out = DisjointWrites(y), n = outputSize
            parallelFor(rows, threads: threads, minimumChunk: 256) { range in
                VectorMath.addBias(out.base + range.lowerBound * n, rows: range.count, columns: n, bias: p + bias)
            }
        }
    }

    /// Accumulates `dW += dyᵀ·x` and `db += Σ_rows dy`; writes `dx = dy·W` (or adds it when
    /// `accumulateInputGradient`) unless `inputGradient` is nil. The products run in fixed blocks over `threads`
    /// workers (`BLAS.blockedGemm`: the same bits for any thread count).
    public func backward(parameters p: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                         input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, rows: Int,
                         inputGradient dx: UnsafeMutablePointer<Float>?, accumulateInputGradient: Bool = false,
                         threads: Int = 1) {
        BLAS.blockedGemm(transposeA: true, m: outputSize, n: inputSize, k: rows, a: dy, lda: outputSize,
                         b: x, ldb: inputSize, beta: 1, c: g + weight, ldc: inputSize, threads: threads)
        if let bias {
            VectorMath.accumulateColumnSums(dy, rows: rows, columns: outputSize, into: g + bias)
        }
        if let dx {
            BLAS.blockedGemm(m: rows, n: inputSize, k: outputSize, a: dy, lda: outputSize, b: p + weight,
                             ldb: inputSize, beta: accumulateInputGradient ? 1 : 0, c: dx, ldc: inputSize,
                             threads: threads)
        }
    }
}
