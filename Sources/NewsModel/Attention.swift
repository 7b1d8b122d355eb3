import Basics
import TensorMath

/// A sequence-to-sequence attention layer over a batch of PACKED variable-length sequences.
///
/// Only real positions are stored: sequence `s` occupies rows `offsets[s]..<offsets[s+1]` of
/// `input [rows × inputSize]` and `output [rows × outputSize]`, with `rows = offsets[sequences]`. This is
/// exactly the padded-and-masked computation (a padded position gets weight 0 in every softmax, and there are
/// no position embeddings), minus the work on padding. An empty sequence has no rows.
/// The layer owns its activations and scratch, grown by `forward` to what the batch needs; `backward` uses what
/// the last `forward` stored (input and offsets must stay valid).
public protocol SequenceAttention: AnyObject {
    /// The sizes and heads of the layer.
    var shape: AttentionHeads { get }
    /// The output of the last `forward`, `[rows × outputSize]` (a prefix of the tensor).
    var output: Tensor { get }
    func forward(parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                 sequences: Int)
    /// Accumulates parameter gradients into `gradients` and writes `inputGradient` (when non-nil).
    /// `outputGradient` (`[rows × outputSize]`) may be overwritten.
    func backward(parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                  outputGradient: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?)
}

extension SequenceAttention {
    /// D_in: the size of an input row.
    public var inputSize: Int { shape.inputSize }
    /// H: the size of an output row.
    public var outputSize: Int { shape.outputSize }
    var heads: Int { shape.heads }
    var headDimension: Int { shape.headDimension }
    var scale: Float { shape.scale }
}

/// The head layout of an attention layer: the sizes its query projection gives and the softmax scale.
public struct AttentionHeads: Sendable {
    /// D_in and H: the input and output sizes (the query projection's).
    public let inputSize: Int, outputSize: Int
    /// h heads of d = H / h values; scores are scaled by 1/√d.
    public let heads: Int, headDimension: Int, scale: Float

    init(query: Linear, heads: Int) {
        inputSize = query.inputSize
        outputSize = query.outputSize
        self.heads = heads
        headDimension = outputSize / heads
        scale = 1 / Float(headDimension).squareRoot()
    }
}

/// Fastformer additive attention (Wu et al. 2021, as in the official code, without LayerNorm or FFN).
///
/// ```
/// Q = X·Wqᵀ + bq, K = X·Wkᵀ + bk                                   [rows × H]
/// α = masked softmax over positions of (Q·Wqaᵀ + bqa)/√d           [rows × h]
/// q_g[head] = Σ_i α_i,head · Q_i[head]                              [sequences × H]
/// P_i = q_g ⊙ K_i;  β = masked softmax of (P·Wkaᵀ + bka)/√d;  k_g = Σ_i β_i · P_i
/// U_i = k_g ⊙ Q_i;  R_i = U_i·Wtᵀ + bt + Q_i                         [rows × H]
/// ```
/// Parameter names (under `prefix`): `query`, `key` (D_in → H), `query_att`, `key_att` (H → h),
/// `transform` (H → H).
public final class FastformerAttention: SequenceAttention, @unchecked Sendable {
    public let shape: AttentionHeads
    let query: Linear, key: Linear, queryAttention: Linear, keyAttention: Linear, transform: Linear
    let threads: Int
    let q: Tensor, k: Tensor, alpha: Tensor, queryGlobal: Tensor, p: Tensor, beta: Tensor, keyGlobal: Tensor
    let u: Tensor
    public let output: Tensor
    let dU: Tensor, dQ: Tensor, dP: Tensor, dScores: Tensor, dQueryGlobal: Tensor, dKeyGlobal: Tensor
    let scratch: Tensor
    var input: UnsafePointer<Float>?, offsets: UnsafePointer<Int32>?, sequences = 0, rows = 0

    /// - Parameters:
    ///   - prefix: for example `"news_encoder.attention."`.
    ///   - threads: workers for the per-sequence loops (BLAS threads are set separately).
    public init(layout: ParameterLayout, prefix: String, heads: Int, threads: Int = 1) {
        query = Linear(layout, prefix + "query")
        key = Linear(layout, prefix + "key")
        queryAttention = Linear(layout, prefix + "query_att")
        keyAttention = Linear(layout, prefix + "key_att")
        transform = Linear(layout, prefix + "transform")
        let shape = AttentionHeads(query: query, heads: heads)
        self.shape = shape
        self.threads = max(1, threads)
        let h = shape.outputSize
        q = Tensor(shape: [0, h]); k = Tensor(shape: [0, h]); p = Tensor(shape: [0, h])
        u = Tensor(shape: [0, h]); output = Tensor(shape: [0, h])
        alpha = Tensor(shape: [0, heads]); beta = Tensor(shape: [0, heads])
        queryGlobal = Tensor(shape: [0, h]); keyGlobal = Tensor(shape: [0, h])
        dU = Tensor(shape: [0, h]); dQ = Tensor(shape: [0, h]); dP = Tensor(shape: [0, h])
        dScores = Tensor(shape: [0, heads])
        dQueryGlobal = Tensor(shape: [0, h]); dKeyGlobal = Tensor(shape: [0, h])
        scratch = Tensor(shape: [self.threads, 2 * heads])
    }

    /// Grows the activations to `rows` positions in `sequences` sequences (they keep their size otherwise).
    func reserve(rows: Int, sequences: Int) {
        for tensor in [q, k, p, u, output, alpha, beta, dU, dQ, dP, dScores] { tensor.reserve(rows: rows) }
        for tensor in [queryGlobal, keyGlobal, dQueryGlobal, dKeyGlobal] { tensor.reserve(rows: sequences) }
    }

    /// One sequence's per-head additive pooling: softmax over its `length` positions of the scaled head scores
    /// `scores[base ..< base + length] × heads` (in place, becoming the weights), then
    /// `global[head slice] = Σ_i weight[i, head] · values[base + i][head slice]` (`global`: `[hidden]`).
    /// The query pooling (α, Q → q_g) and the key pooling (β, P → k_g) of the forward pass.
    @inline(__always)
    func poolHeads(scores: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>, base: Int, length: Int,
                   into global: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>) {
        let hidden = outputSize, d = headDimension
        VectorMath.maskedSoftmax(scores + base * heads, positions: length, lanes: heads, mask: nil, scale: scale,
                                 workspace: workspace)
        global.update(repeating: 0, count: hidden)
        for i in 0..<length {
            let row = (base + i) * hidden
            for head in 0..<heads {
                VectorMath.axpy(scores[(base + i) * heads + head], values + row + head * d, global + head * d,
                                count: d)
            }
        }
    }

    public func forward(parameters w: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                        offsets: UnsafePointer<Int32>, sequences: Int) {
        let rows = Int(offsets[sequences])
        reserve(rows: rows, sequences: sequences)
        self.input = x; self.offsets = offsets; self.sequences = sequences; self.rows = rows
        let hidden = outputSize, heads = heads
        query.forward(parameters: w, input: x, rows: rows, output: q.pointer, threads: threads)
        key.forward(parameters: w, input: x, rows: rows, output: k.pointer, threads: threads)
        queryAttention.forward(parameters: w, input: q.pointer, rows: rows, output: alpha.pointer, threads: threads)
        let offsetsIn = DisjointWrites(offsets)
        parallelForWorkers(sequences, threads: threads) { worker, range in
            let q = self.q.pointer, k = self.k.pointer, alpha = self.alpha.pointer, p = self.p.pointer
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                let qg = self.queryGlobal.pointer + s * hidden
                self.poolHeads(scores: alpha, values: q, base: base, length: length, into: qg,
                               workspace: self.scratch.pointer + worker * 2 * heads)
                for i in 0..<length {
                    let row = (base + i) * hidden
                    for c in 0..<hidden { p[row + c] = qg[c] * k[row + c] }
                }
            }
        }
        keyAttention.forward(parameters: w, input: p.pointer, rows: rows, output: beta.pointer, threads: threads)
        parallelForWorkers(sequences, threads: threads) { worker, range in
            let q = self.q.pointer, beta = self.beta.pointer, p = self.p.pointer
            let u = self.u.pointer, out = self.output.pointer
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                let kg = self.keyGlobal.pointer + s * hidden
                self.poolHeads(scores: beta, values: p, base: base, length: length, into: kg,
                               workspace: self.scratch.pointer + worker * 2 * heads)
                for i in 0..<length {
                    let row = (base + i) * hidden
                    for c in 0..<hidden {
                        u[row + c] = kg[c] * q[row + c]
                        out[row + c] = q[row + c]
                    }
                }
            }
        }
        transform.forward(parameters: w, input: u.pointer, rows: rows, output: output.pointer, accumulate: true,
                          threads: threads)
    }

    public func backward(parameters w: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                         outputGradient dR: UnsafeMutablePointer<Float>, inputGradient dX: UnsafeMutablePointer<Float>?) {
        guard let x = input, let offsets else { preconditionFailure("backward before forward") }
        let rows = rows, hidden = outputSize, heads = heads, d = headDimension
        let scale = scale, offsetsIn = DisjointWrites(offsets)
        transform.backward(parameters: w, gradients: g, input: u.pointer, outputGradient: dR, rows: rows,
                           inputGradient: dU.pointer, threads: threads)
        let dRIn = DisjointWrites(dR)
        parallelForWorkers(sequences, threads: threads) { worker, range in
            let q = self.q.pointer, p = self.p.pointer, beta = self.beta.pointer
            let dU = self.dU.pointer, dQ = self.dQ.pointer, dP = self.dP.pointer, dBeta = self.dScores.pointer
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                let kg = self.keyGlobal.pointer + s * hidden, dkg = self.dKeyGlobal.pointer + s * hidden
                dkg.update(repeating: 0, count: hidden)
                for i in 0..<length {
                    let row = (base + i) * hidden
                    for c in 0..<hidden {
                        dkg[c] += dU[row + c] * q[row + c]
                        dQ[row + c] = dRIn.base[row + c] + dU[row + c] * kg[c]
                    }
                }
                for i in 0..<length {
                    let row = (base + i) * hidden
                    for head in 0..<heads {
                        dBeta[(base + i) * heads + head] = VectorMath.dot(dkg + head * d, p + row + head * d, count: d)
                    }
                }
                VectorMath.maskedSoftmaxBackward(probabilities: beta + base * heads, gradient: dBeta + base * heads,
                                                 positions: length, lanes: heads, scale: scale,
                                                 workspace: self.scratch.pointer + worker * 2 * heads)
                for i in 0..<length {
                    let row = (base + i) * hidden
                    for head in 0..<heads {
                        let b = beta[(base + i) * heads + head]
                        for c in head * d..<(head + 1) * d { dP[row + c] = b * dkg[c] }
                    }
                }
            }
        }
        keyAttention.backward(parameters: w, gradients: g, input: p.pointer, outputGradient: dScores.pointer,
                              rows: rows, inputGradient: dP.pointer, accumulateInputGradient: true, threads: threads)
        let dK = dU   // dU is dead from here on
        parallelForWorkers(sequences, threads: threads) { worker, range in
            let q = self.q.pointer, k = self.k.pointer, alpha = self.alpha.pointer
            let dK = dK.pointer, dQ = self.dQ.pointer, dP = self.dP.pointer, dAlpha = self.dScores.pointer
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                let qg = self.queryGlobal.pointer + s * hidden, dqg = self.dQueryGlobal.pointer + s * hidden
                dqg.update(repeating: 0, count: hidden)
                for i in 0..<length {
                    let row = (base + i) * hidden
                    for c in 0..<hidden {
                        dK[row + c] = dP[row + c] * qg[c]
                        dqg[c] += dP[row + c] * k[row + c]
                    }
                }
                for i in 0..<length {
                    let row = (base + i) * hidden
                    for head in 0..<heads {
                        let a = alpha[(base + i) * heads + head]
                        for c in head * d..<(head + 1) * d { dQ[row + c] += a * dqg[c] }
                        dAlpha[(base + i) * heads + head] = VectorMath.dot(dqg + head * d, q + row + head * d, count: d)
                    }
                }
                VectorMath.maskedSoftmaxBackward(probabilities: alpha + base * heads, gradient: dAlpha + base * heads,
                                                 positions: length, lanes: heads, scale: scale,
                                                 workspace: self.scratch.pointer + worker * 2 * heads)
            }
        }
        queryAttention.backward(parameters: w, gradients: g, input: q.pointer, outputGradient: dScores.pointer,
                                rows: rows, inputGradient: dQ.pointer, accumulateInputGradient: true, threads: threads)
        query.backward(parameters: w, gradients: g, input: x, outputGradient: dQ.pointer, rows: rows,
                       inputGradient: dX, threads: threads)
        key.backward(parameters: w, gradients: g, input: x, outputGradient: dK.pointer, rows: rows,
                     inputGradient: dX, accumulateInputGradient: true, threads: threads)
    }
}

/// Multi-head self-attention as in NRMS: `Q, K, V = X·Wᵀ + b` (D_in → H); per head
/// `softmax(Q_h·K_hᵀ/√d, masked over keys)·V_h`; heads concatenated (no output projection).
///
/// Stores the attention weights (`heads × n × n` per sequence of `n` rows) for the backward pass.
public final class MultiHeadSelfAttention: SequenceAttention, @unchecked Sendable {
    public let shape: AttentionHeads
    let query: Linear, key: Linear, value: Linear
    let threads: Int
    let q: Tensor, k: Tensor, v: Tensor, weights: Tensor
    public let output: Tensor
    let dQ: Tensor, dK: Tensor, dV: Tensor, scratch: Tensor
    /// The longest sequence of the last `forward` (per-worker scratch holds one softmax row of it).
    var maxLength = 0
    /// Start of each sequence's attention weights in `weights`.
    var weightOffsets: [Int] = [0]
    var input: UnsafePointer<Float>?, offsets: UnsafePointer<Int32>?, sequences = 0, rows = 0

    /// - Parameters:
    ///   - prefix: for example `"user_encoder.attention."`.
    ///   - threads: workers for the per-sequence loops (BLAS threads are set separately).
    public init(layout: ParameterLayout, prefix: String, heads: Int, threads: Int = 1) {
        query = Linear(layout, prefix + "query")
        key = Linear(layout, prefix + "key")
        value = Linear(layout, prefix + "value")
        let shape = AttentionHeads(query: query, heads: heads)
        self.shape = shape
        self.threads = max(1, threads)
        let h = shape.outputSize
        q = Tensor(shape: [0, h]); k = Tensor(shape: [0, h]); v = Tensor(shape: [0, h])
        output = Tensor(shape: [0, h])
        weights = Tensor(shape: [0])
        dQ = Tensor(shape: [0, h]); dK = Tensor(shape: [0, h]); dV = Tensor(shape: [0, h])
        scratch = Tensor(shape: [0])
    }

    public func forward(parameters w: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                        offsets: UnsafePointer<Int32>, sequences: Int) {
        let rows = Int(offsets[sequences])
        self.input = x; self.offsets = offsets; self.sequences = sequences; self.rows = rows
        let hidden = outputSize, heads = heads, d = headDimension, scale = scale
        weightOffsets = [0]
        maxLength = 0
        for s in 0..<sequences {
            let n = Int(offsets[s + 1] - offsets[s])
            maxLength = max(maxLength, n)
            weightOffsets.append(weightOffsets[s] + heads * n * n)
        }
        for tensor in [q, k, v, output, dQ, dK, dV] { tensor.reserve(rows: rows) }
        weights.reserve(rows: weightOffsets[sequences])
        scratch.reserve(rows: threads * (maxLength + 2))
        query.forward(parameters: w, input: x, rows: rows, output: q.pointer, threads: threads)
        key.forward(parameters: w, input: x, rows: rows, output: k.pointer, threads: threads)
        value.forward(parameters: w, input: x, rows: rows, output: v.pointer, threads: threads)
        let offsetsIn = DisjointWrites(offsets)
        parallelForWorkers(sequences, threads: threads) { worker, range in
            let q = self.q.pointer, k = self.k.pointer, v = self.v.pointer, out = self.output.pointer
            let scratch = self.scratch.pointer + worker * (self.maxLength + 2)
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                for head in 0..<heads {
                    let a = self.weights.pointer + self.weightOffsets[s] + head * length * length
                    for i in 0..<length {
                        let row = a + i * length
                        let qi = q + (base + i) * hidden + head * d
                        for j in 0..<length {
                            row[j] = VectorMath.dot(qi, k + (base + j) * hidden + head * d, count: d)
                        }
                        VectorMath.maskedSoftmax(row, positions: length, lanes: 1, mask: nil,
                                                 scale: scale, workspace: scratch)
                        let o = out + (base + i) * hidden + head * d
                        o.update(repeating: 0, count: d)
                        for j in 0..<length where row[j] != 0 {
                            VectorMath.axpy(row[j], v + (base + j) * hidden + head * d, o, count: d)
                        }
                    }
                }
            }
        }
    }

    public func backward(parameters w: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                         outputGradient dO: UnsafeMutablePointer<Float>, inputGradient dX: UnsafeMutablePointer<Float>?) {
        guard let x = input, let offsets else { preconditionFailure("backward before forward") }
        let rows = rows, hidden = outputSize, heads = heads, d = headDimension
        let scale = scale, offsetsIn = DisjointWrites(offsets)
        let dOIn = DisjointWrites(dO)
        parallelForWorkers(sequences, threads: threads) { worker, range in
            let q = self.q.pointer, k = self.k.pointer, v = self.v.pointer
            let dQ = self.dQ.pointer, dK = self.dK.pointer, dV = self.dV.pointer
            let dA = self.scratch.pointer + worker * (self.maxLength + 2)
            for s in range {
                let base = Int(offsetsIn.base[s]), length = Int(offsetsIn.base[s + 1]) - base
                dQ.advanced(by: base * hidden).update(repeating: 0, count: length * hidden)
                dK.advanced(by: base * hidden).update(repeating: 0, count: length * hidden)
                dV.advanced(by: base * hidden).update(repeating: 0, count: length * hidden)
                for head in 0..<heads {
                    let a = self.weights.pointer + self.weightOffsets[s] + head * length * length
                    for i in 0..<length {
                        let row = a + i * length
                        let doi = dOIn.base + (base + i) * hidden + head * d
                        for j in 0..<length {
                            dA[j] = VectorMath.dot(doi, v + (base + j) * hidden + head * d, count: d)
                            if row[j] != 0 { VectorMath.axpy(row[j], doi, dV + (base + j) * hidden + head * d, count: d) }
                        }
                        VectorMath.maskedSoftmaxBackward(probabilities: row, gradient: dA, positions: length, lanes: 1,
                                                         scale: scale, workspace: dA + length)
                        let qi = q + (base + i) * hidden + head * d
                        let dqi = dQ + (base + i) * hidden + head * d
                        for j in 0..<length where dA[j] != 0 {
                            VectorMath.axpy(dA[j], k + (base + j) * hidden + head * d, dqi, count: d)
                            VectorMath.axpy(dA[j], qi, dK + (base + j) * hidden + head * d, count: d)
                        }
                    }
                }
            }
        }
        query.backward(parameters: w, gradients: g, input: x, outputGradient: dQ.pointer, rows: rows, inputGradient: dX, threads: threads)
        key.backward(parameters: w, gradients: g, input: x, outputGradient: dK.pointer, rows: rows,
                     inputGradient: dX, accumulateInputGradient: true, threads: threads)
        value.backward(parameters: w, gradients: g, input: x, outputGradient: dV.pointer, rows: rows,
                       inputGradient: dX, accumulateInputGradient: true, threads: threads)
    }
}
