import TensorMath

/// Word-embedding lookup: `output[t] = E[token[t]]` with `E [V × E]` at offset 0 of the parameters.
/// The gradient is sparse: only the rows of tokens seen are written (and recorded in `NRMSGradients`).
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

    /// `dE[token[t]] += outputGradient[t]` for every `t`; marks the rows in `gradients`.
    public func backward(gradients: NRMSGradients, tokens: UnsafePointer<Int32>, count: Int,
                         outputGradient: UnsafePointer<Float>, threads: Int = 1) {
        let e = dimension, workers = max(1, threads)
        let table = DisjointWrites(gradients.values.pointer + weight), ids = DisjointWrites(tokens)
        let dOut = DisjointWrites(outputGradient)
        // Worker k owns the rows with id % workers == k, so concurrent scatter-adds never collide.
        parallelForWorkers(workers, threads: workers) { worker, _ in
            for t in 0..<count where Int(ids.base[t]) % workers == worker {
                VectorMath.add(dOut.base + t * e, into: table.base + Int(ids.base[t]) * e, count: e)
            }
        }
        for t in 0..<count { gradients.markWordRow(tokens[t]) }
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

/// Attention → dropout → additive pooling: turns padded sequences of vectors into one vector each.
///
/// Used twice in NRMS: over the words of a title (news encoder) and over the clicked news of a user
/// (user encoder). Shapes: `input [sequences × length × inputSize]`, `output [sequences × hidden]`.
public final class SequenceEncoder: @unchecked Sendable {
    public let attention: any SequenceAttention
    public let pooling: AdditivePooling
    let dropout: Float
    let threads: Int
    let attentionGradient: Tensor
    var dropoutSeed: UInt64?, sequences = 0, length = 0

    /// - Parameter prefix: `"news_encoder."` or `"user_encoder."`.
    public init(configuration: NRMSConfiguration, layout: ParameterLayout, prefix: String, maxSequences: Int,
                maxLength: Int, threads: Int = 1) {
        switch configuration.encoder {
        case .fastformer:
            attention = FastformerAttention(layout: layout, prefix: prefix + "attention.", heads: configuration.headCount,
                                            maxSequences: maxSequences, maxLength: maxLength, threads: threads)
        case .mhsa:
            attention = MultiHeadSelfAttention(layout: layout, prefix: prefix + "attention.",
                                               heads: configuration.headCount, maxSequences: maxSequences,
                                               maxLength: maxLength, threads: threads)
        }
        pooling = AdditivePooling(layout: layout, prefix: prefix + "pooling.", maxSequences: maxSequences,
                                  maxLength: maxLength, threads: threads)
        dropout = configuration.dropout
        self.threads = max(1, threads)
        attentionGradient = Tensor(shape: [maxSequences * maxLength, configuration.hiddenSize])
    }

    /// The pooled vectors of the last `forward`, `[sequences × hidden]`.
    public var output: UnsafeMutablePointer<Float> { pooling.output.pointer }

    /// Encodes `sequences` padded sequences; `dropoutSeed` nil means evaluation mode (no dropout).
    public func forward(parameters w: UnsafePointer<Float>, input: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                        sequences: Int, length: Int, dropoutSeed: UInt64?) {
        self.dropoutSeed = dropoutSeed; self.sequences = sequences; self.length = length
        attention.forward(parameters: w, input: input, mask: mask, sequences: sequences, length: length)
        let rows = sequences * length, h = attention.outputSize
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(attention.output.pointer, count: rows * h, probability: dropout, seed: dropoutSeed,
                           threads: threads)
        }
        pooling.forward(parameters: w, input: attention.output.pointer, mask: mask, sequences: sequences, length: length)
    }

    /// Backward of the last `forward` given `outputGradient [sequences × hidden]`; writes `inputGradient`.
    public func backward(parameters w: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?) {
        pooling.backward(parameters: w, gradients: g, outputGradient: outputGradient,
                         inputGradient: attentionGradient.pointer)
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(attentionGradient.pointer, count: sequences * length * attention.outputSize,
                           probability: dropout, seed: dropoutSeed, threads: threads)
        }
        attention.backward(parameters: w, gradients: g, outputGradient: attentionGradient.pointer,
                           inputGradient: inputGradient)
    }
}

/// The news encoder: title tokens `[news × length]` → word embedding → dropout → `SequenceEncoder` →
/// news vectors `[news × hidden]`. Padding tokens (id 0) are masked; an empty title encodes to zero.
public final class NewsEncoder: @unchecked Sendable {
    public let embedding: Embedding
    public let encoder: SequenceEncoder
    let dropout: Float, threads: Int
    let words: Tensor, wordGradient: Tensor, mask: Tensor
    public let maxNews: Int, maxLength: Int
    var tokens: UnsafePointer<Int32>?, news = 0, length = 0, dropoutSeed: UInt64?

    public init(configuration: NRMSConfiguration, layout: ParameterLayout, maxNews: Int, threads: Int = 1) {
        embedding = Embedding(layout: layout)
        encoder = SequenceEncoder(configuration: configuration, layout: layout, prefix: "news_encoder.",
                                  maxSequences: maxNews, maxLength: configuration.titleLength, threads: threads)
        dropout = configuration.dropout
        self.threads = max(1, threads)
        self.maxNews = maxNews
        maxLength = configuration.titleLength
        let rows = maxNews * configuration.titleLength
        words = Tensor(shape: [rows, configuration.wordDimension])
        wordGradient = Tensor(shape: [rows, configuration.wordDimension])
        mask = Tensor(shape: [rows])
    }

    /// The news vectors of the last `forward`, `[news × hidden]`.
    public var output: UnsafeMutablePointer<Float> { encoder.output }

    /// Encodes `news` titles of `length` tokens (`tokens [news × length]`, 0 = padding).
    public func forward(parameters w: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, news: Int, length: Int,
                        dropoutSeed: UInt64?) {
        precondition(news <= maxNews && length <= maxLength, "titles exceed the news encoder's capacity")
        self.tokens = tokens; self.news = news; self.length = length; self.dropoutSeed = dropoutSeed
        let rows = news * length
        for t in 0..<rows { mask[t] = tokens[t] == 0 ? 0 : 1 }
        embedding.forward(parameters: w, tokens: tokens, count: rows, output: words.pointer, threads: threads)
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(words.pointer, count: rows * embedding.dimension, probability: dropout,
                           seed: dropoutSeed, threads: threads)
        }
        encoder.forward(parameters: w, input: words.pointer, mask: mask.pointer, sequences: news, length: length,
                        dropoutSeed: dropoutSeed.map { $0 &+ 0x5DEE_CE66_D1CE_4E5B })
    }

    /// Backward of the last `forward` given `outputGradient [news × hidden]`; accumulates into `gradients`.
    public func backward(parameters w: UnsafePointer<Float>, gradients: NRMSGradients,
                         outputGradient: UnsafePointer<Float>) {
        guard let tokens else { preconditionFailure("backward before forward") }
        let rows = news * length
        encoder.backward(parameters: w, gradients: gradients.values.pointer, outputGradient: outputGradient,
                         inputGradient: wordGradient.pointer)
        if let dropoutSeed, dropout > 0 {
            dropoutInPlace(wordGradient.pointer, count: rows * embedding.dimension, probability: dropout,
                           seed: dropoutSeed, threads: threads)
        }
        embedding.backward(gradients: gradients, tokens: tokens, count: rows, outputGradient: wordGradient.pointer,
                           threads: threads)
    }
}
