import Basics
import TensorMath

/// Additive attention pooling (NRMS): one vector per sequence.
///
/// ```
/// e_i = tanh(X_i·W1ᵀ + b1)      [rows × A]   (`proj`: H → A)
/// s_i = e_i·w2                  [rows]       (`score`: A → 1, no bias)
/// a   = masked softmax(s)       per sequence
/// out = Σ_i a_i · X_i           [sequences × H]
/// ```
/// Sequences are packed as in `SequenceAttention` (rows `offsets[s]..<offsets[s+1]`); an empty sequence
/// pools to the zero vector.
public final class AdditivePooling: @unchecked Sendable {
    let projection: Linear
    let score: Int
    public let inputSize: Int, poolingSize: Int
    let threads: Int
    let activations: Tensor, weights: Tensor, scoreGradients: Tensor, scratch: Tensor
    /// `[sequences × inputSize]`: the pooled vectors of the last `forward` (a prefix of the tensor).
    public let output: Tensor
    var input: UnsafePointer<Float>?, offsets: UnsafePointer<Int32>?, sequences = 0, rows = 0

    public init(layout: ParameterLayout, prefix: String, threads: Int = 1) {
        projection = Linear(layout, prefix + "proj")
        score = layout.offset(of: prefix + "score.weight")
        inputSize = projection.inputSize
        poolingSize = projection.outputSize
        self.threads = max(1, threads)
        activations = Tensor(shape: [0, poolingSize])
        weights = Tensor(shape: [0])
        scoreGradients = Tensor(shape: [0])
        output = Tensor(shape: [0, inputSize])
        scratch = Tensor(shape: [self.threads, 2])
    }

    /// Pools packed `input [rows × inputSize]` into `output [sequences × inputSize]`.
    public func forward(parameters w: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                        offsets: UnsafePointer<Int32>, sequences: Int) {
        let rows = Int(offsets[sequences])
        for tensor in [activations, weights, scoreGradients] { tensor.reserve(rows: rows) }
        output.reserve(rows: sequences)
        self.input = x; self.offsets = offsets; self.sequences = sequences; self.rows = rows
        let a = poolingSize, h = inputSize
        projection.forward(parameters: w, input: x, rows: rows, output: activations.pointer, threads: threads)
        parallelFor(rows, threads: threads, minimumChunk: 256) { range in
            VectorMath.tanhInPlace(self.activations.pointer + range.lowerBound * a, count: range.count * a)
        }
        BLAS.blockedGemv(rows: rows, columns: a, a: activations.pointer, lda: a, x: w + score, y: weights.pointer,
                         threads: threads)
        let xIn = DisjointWrites(x), offsetsIn = DisjointWrites(offsets)
        parallelForWorkers(sequences, threads: threads) { worker, range in
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                let weights = self.weights.pointer + base
                VectorMath.maskedSoftmax(weights, positions: length, lanes: 1, mask: nil,
                                         scale: 1, workspace: self.scratch.pointer + worker * 2)
                let out = self.output.pointer + s * h
                out.update(repeating: 0, count: h)
                for i in 0..<length {
                    VectorMath.axpy(weights[i], xIn.base + (base + i) * h, out, count: h)
                }
            }
        }
    }

    /// Given `outputGradient [sequences × inputSize]`, accumulates parameter gradients and writes the packed
    /// `inputGradient [rows × inputSize]`.
    public func backward(parameters w: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                         outputGradient dOut: UnsafePointer<Float>, inputGradient dX: UnsafeMutablePointer<Float>) {
        guard let x = input, let offsets else { preconditionFailure("backward before forward") }
        let rows = rows, a = poolingSize, h = inputSize
        let xIn = DisjointWrites(x), dOutIn = DisjointWrites(dOut), dXOut = DisjointWrites(dX)
        let offsetsIn = DisjointWrites(offsets)
        parallelForWorkers(sequences, threads: threads) { worker, range in
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                let weights = self.weights.pointer + base
                let dScores = self.scoreGradients.pointer + base
                let dOut = dOutIn.base + s * h
                for i in 0..<length {
                    let row = (base + i) * h
                    dScores[i] = VectorMath.dot(dOut, xIn.base + row, count: h)
                    let weight = weights[i]
                    for c in 0..<h { dXOut.base[row + c] = weight * dOut[c] }
                }
                VectorMath.maskedSoftmaxBackward(probabilities: weights, gradient: dScores, positions: length,
                                                 lanes: 1, scale: 1, workspace: self.scratch.pointer + worker * 2)
            }
        }
        // d score.weight += eᵀ·ds; then e becomes dz = ds·w2 ⊙ (1 − e²) in place.
        BLAS.blockedGemv(transpose: true, rows: rows, columns: a, a: activations.pointer, lda: a,
                         x: scoreGradients.pointer, beta: 1, y: g + score, threads: threads)
        let w2 = DisjointWrites(w + score)
        parallelFor(rows, threads: threads, minimumChunk: 256) { range in
            let e = self.activations.pointer, ds = self.scoreGradients.pointer
            for r in range {
                let row = e + r * a, scoreGradient = ds[r]
                for j in 0..<a { row[j] = scoreGradient * w2.base[j] * (1 - row[j] * row[j]) }
            }
        }
        projection.backward(parameters: w, gradients: g, input: x, outputGradient: activations.pointer, rows: rows,
                            inputGradient: dX, accumulateInputGradient: true, threads: threads)
    }
}
