import Basics
import TensorMath

/// Word-embedding lookup: `output[t] = E[token[t]]` with `E [V × E]` at offset 0 of the parameters.
/// The gradient is sparse: only the rows of tokens seen get a row in `NRMSGradients`.
public struct Embedding: Sendable {
    public let vocabularySize: Int, dimension: Int
    public let weight: Int

    public init(layout: ParameterLayout) {
        let entry = layout.entry(named: "word_embedding.weight")!
        vocabularySize = entry.shape[0]
        dimension = entry.shape[1]
        weight = entry.offset
    }

    /// Gathers `count` rows for `tokens` into `output [count × E]`.
    public func forward(parameters w: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, count: Int,
                        output: UnsafeMutablePointer<Float>, threads: Int = 1) {
        let e = dimension, table = DisjointWrites(w + weight), ids = DisjointWrites(tokens), out = DisjointWrites(output)
        parallelFor(count, threads: threads, minimumChunk: 64) { range in
            for t in range {
                (out.base + t * e).update(from: table.base + Int(ids.base[t]) * e, count: e)
            }
        }
    }

    /// `dE[token[t]] += outputGradient[t]` for every `t`, in token order for each row.
    public func backward(gradients: NRMSGradients, tokens: UnsafePointer<Int32>, count: Int,
                         outputGradient: UnsafePointer<Float>, threads: Int = 1) {
        let e = dimension, workers = max(1, threads)
        gradients.reserveRows(UnsafeBufferPointer(start: tokens, count: count))
        let ids = DisjointWrites(tokens), dOut = DisjointWrites(outputGradient)
        // Worker k owns the rows with id % workers == k, so concurrent scatter-adds never collide.
        parallelForWorkers(workers, threads: workers) { worker, _ in
            for t in 0..<count where Int(ids.base[t]) % workers == worker {
                VectorMath.add(dOut.base + t * e, into: gradients.existingRow(ids.base[t])!, count: e)
            }
        }
    }
}

/// Inverted dropout over `count` floats in place, split over threads (the mask depends only on the seed and
/// the element index, so backward is the same call on the gradient).
func dropoutInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, probability: Float, seed: UInt64, threads: Int) {
    let data = DisjointWrites(x)
    let chunks = max(1, min(threads, count / 4096))
    parallelFor(chunks, threads: threads) { range in
        for chunk in range {
            let start = (chunk * count / chunks) & ~15, end = chunk == chunks - 1 ? count : ((chunk + 1) * count / chunks) & ~15
            VectorMath.dropout(data.base + start, data.base + start, count: end - start, probability: probability,
                               seed: seed, offset: start)
        }
    }
}

/// Attention → dropout → additive pooling: turns packed sequences of vectors into one vector each.
///
/// Used twice in NRMS: over the words of a title (news encoder) and over the clicked news of a user
/// (user encoder). Shapes: packed `input [rows × inputSize]` with sequence `s` at rows
/// `offsets[s]..<offsets[s+1]`, `output [sequences × hidden]`; an empty sequence encodes to zero.
public final class SequenceEncoder: @unchecked Sendable {
    public let attention: any SequenceAttention
    public let pooling: AdditivePooling
    let dropout: Float
    let threads: Int
    let attentionGradient: Tensor
    var dropoutSeed: UInt64?, rows = 0

    /// - Parameters:
    ///   - prefix: `"news_encoder."` or `"user_encoder."`.
    ///   - threads: workers for the per-sequence loops.
    public init(configuration: NRMSConfiguration, layout: ParameterLayout, prefix: String, threads: Int = 1) {
        switch configuration.encoder {
        case .fastformer:
            attention = FastformerAttention(layout: layout, prefix: prefix + "attention.", heads: configuration.headCount,
                                            threads: threads)
        case .mhsa:
            attention = MultiHeadSelfAttention(layout: layout, prefix: prefix + "attention.",
                                               heads: configuration.headCount, threads: threads)
        }
        pooling = AdditivePooling(layout: layout, prefix: prefix + "pooling.", threads: threads)
        dropout = configuration.dropout
        self.threads = max(1, threads)
        attentionGradient = Tensor(shape: [0, configuration.hiddenSize])
    }

    /// The pooled vectors of the last `forward`, `[sequences × hidden]`.
    public var output: UnsafeMutablePointer<Float> { pooling.output.pointer }

    /// Encodes `sequences` packed sequences; `dropoutSeed` nil means evaluation mode (no dropout).
    public func forward(parameters w: UnsafePointer<Float>, input: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                        sequences: Int, dropoutSeed: UInt64?) {
        self.dropoutSeed = dropoutSeed
        rows = Int(offsets[sequences])
        attentionGradient.reserve(rows: rows)
        attention.forward(parameters: w, input: input, offsets: offsets, sequences: sequences)
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(attention.output.pointer, count: rows * attention.outputSize, probability: dropout,
                           seed: dropoutSeed, threads: threads)
        }
        pooling.forward(parameters: w, input: attention.output.pointer, offsets: offsets, sequences: sequences)
    }

    /// Backward of the last `forward` given `outputGradient [sequences × hidden]`; writes the packed
    /// `inputGradient [rows × inputSize]` when non-nil. `g` is `NRMSGradients.denseBase`.
    public func backward(parameters w: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?) {
        pooling.backward(parameters: w, gradients: g, outputGradient: outputGradient,
                         inputGradient: attentionGradient.pointer)
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(attentionGradient.pointer, count: rows * attention.outputSize,
                           probability: dropout, seed: dropoutSeed, threads: threads)
        }
        attention.backward(parameters: w, gradients: g, outputGradient: attentionGradient.pointer,
                           inputGradient: inputGradient)
    }
}

/// The news encoder: packed title tokens → word embeddings → dropout → `SequenceEncoder` → news vectors
/// `[news × hidden]`. Titles arrive packed (`PackedSequences` of token ids: no padding anywhere); an empty title encodes to zero.
public final class NewsEncoder: @unchecked Sendable {
    public let embedding: Embedding
    public let encoder: SequenceEncoder
    let dropout: Float, threads: Int
    let words: Tensor, wordGradient: Tensor
    /// The tokens and offsets of the last `forward` (copied: `backward` reads them).
    let tokens = IndexBuffer(), offsets = IndexBuffer()
    var dropoutSeed: UInt64?

    public init(configuration: NRMSConfiguration, layout: ParameterLayout, threads: Int = 1) {
        embedding = Embedding(layout: layout)
        encoder = SequenceEncoder(configuration: configuration, layout: layout, prefix: "news_encoder.",
                                  threads: threads)
        dropout = configuration.dropout
        self.threads = max(1, threads)
        words = Tensor(shape: [0, configuration.wordDimension])
        wordGradient = Tensor(shape: [0, configuration.wordDimension])
    }

    /// The news vectors of the last `forward`, `[news × hidden]`.
    public var output: UnsafeMutablePointer<Float> { encoder.output }

    /// The number of tokens in the last `forward`.
    public var tokenCount: Int { tokens.count }

    /// Encodes `titles`; `dropoutSeed` nil means evaluation mode.
    public func forward(parameters w: UnsafePointer<Float>, titles: PackedSequences, dropoutSeed: UInt64?) {
        self.dropoutSeed = dropoutSeed
        tokens.assign(titles.values)
        offsets.assign(titles.offsets)
        let rows = tokens.count
        words.reserve(rows: rows)
        wordGradient.reserve(rows: rows)
        embedding.forward(parameters: w, tokens: tokens.pointer, count: rows, output: words.pointer, threads: threads)
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(words.pointer, count: rows * embedding.dimension, probability: dropout,
                           seed: dropoutSeed, threads: threads)
        }
        encoder.forward(parameters: w, input: words.pointer, offsets: offsets.pointer, sequences: titles.count,
                        dropoutSeed: dropoutSeed.map { $0 &+ 0x5DEE_CE66_D1CE_4E5B })
    }

    /// Backward of the last `forward` given `outputGradient [news × hidden]`; accumulates into `gradients`.
    public func backward(parameters w: UnsafePointer<Float>, gradients: NRMSGradients,
                         outputGradient: UnsafePointer<Float>) {
        let rows = tokens.count
        encoder.backward(parameters: w, gradients: gradients.denseBase, outputGradient: outputGradient,
                         inputGradient: wordGradient.pointer)
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(wordGradient.pointer, count: rows * embedding.dimension, probability: dropout,
                           seed: dropoutSeed, threads: threads)
        }
        embedding.backward(gradients: gradients, tokens: tokens.pointer, count: rows,
                           outputGradient: wordGradient.pointer, threads: threads)
    }
}
