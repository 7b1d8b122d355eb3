import Basics
import NewsModel
import TensorMath

/// The synthetic batch of the model micro-benchmark, drawn as `Tools/reference/bench_model.py` draws it: `batch`
/// users with 10…50 clicks each (front padding), `1 + negatives` candidates each, and one title of 5…15 random
/// tokens per history and candidate slot.
final class ModelBenchmarkInputs {
    let batchSize: Int, historyLength: Int, candidateCount: Int, titleLength: Int, hiddenSize: Int
    /// `batchSize × (historyLength + candidateCount)`: every slot has its own title.
    let titleCount: Int
    /// `[titleCount × titleLength]` token ids, right-padded with 0.
    private(set) var titles: [Int32]
    /// `[batch × history]` rows into `titles` (-1 = padding) and `[batch × candidates]` rows.
    private(set) var histories: [Int32], candidates: [Int32]
    /// The user encoder's input: history vectors `[batch × history × hidden]` with a 0/1 mask.
    let historyVectors: Tensor, historyMask: Tensor
    /// The masked history vectors packed back to back, `historyOffsets[user]` where each user's start.
    let packedHistory: Tensor
    let historyOffsets = IndexBuffer()
    /// The output gradient of both encoders: one random direction repeated on every row.
    let projection: Tensor
    /// Where the user encoder's backward writes its input gradient.
    let historyGradient: Tensor
    /// Counted forward FLOPs of the news encoder over all titles and of the user encoder over all histories.
    private(set) var newsFlops = 0.0, userFlops = 0.0

    init(configuration: NRMSConfiguration, batchSize: Int, negatives: Int) {
        self.batchSize = batchSize
        historyLength = configuration.historyLength
        candidateCount = 1 + negatives
        titleLength = configuration.titleLength
        hiddenSize = configuration.hiddenSize
        titleCount = batchSize * (historyLength + candidateCount)
        titles = [Int32](repeating: 0, count: titleCount * titleLength)
        histories = [Int32](repeating: -1, count: batchSize * historyLength)
        candidates = [Int32](repeating: 0, count: batchSize * candidateCount)
        historyVectors = Tensor(shape: [batchSize * historyLength, hiddenSize])
        historyMask = Tensor(shape: [batchSize * historyLength])
        packedHistory = Tensor(shape: [batchSize * historyLength, hiddenSize])
        projection = Tensor(shape: [max(titleCount, batchSize), hiddenSize])
        historyGradient = Tensor(shape: [batchSize * historyLength, hiddenSize])
        var rng = SplitMix64(seed: 1)
        drawTitles(vocabularySize: configuration.vocabularySize, rng: &rng)
        rng.fillGaussian(historyVectors.pointer, count: historyVectors.count, standardDeviation: 1)
        drawHistories(rng: &rng)
        drawProjection(rng: &rng)
        countFlops(configuration)
    }

    private func drawTitles(vocabularySize: Int, rng: inout SplitMix64) {
        for n in 0..<titleCount {
            let length = 5 + Int(rng.next() % 11)
            for i in 0..<length {
                titles[n * titleLength + i] = Int32(2 + Int(rng.next() % UInt64(vocabularySize - 2)))
            }
        }
    }

    private func drawHistories(rng: inout SplitMix64) {
        let t = historyLength, c = candidateCount
        for user in 0..<batchSize {
            let clicks = 10 + Int(rng.next() % UInt64(t - 9))
            for i in (t - clicks)..<t {
                historyMask[user * t + i] = 1
                histories[user * t + i] = Int32(user * t + i)
            }
            for j in 0..<c { candidates[user * c + j] = Int32(batchSize * t + user * c + j) }
        }
    }

    private func drawProjection(rng: inout SplitMix64) {
        let h = hiddenSize
        var direction = [Float](repeating: 0, count: h)
        for i in 0..<h { direction[i] = Float(rng.nextGaussian()) }
        for row in 0..<projection.shape[0] { for i in 0..<h { projection[row * h + i] = direction[i] } }
    }

    private func countFlops(_ configuration: NRMSConfiguration) {
        var tokenRows = 0, tokenPairs = 0, clickRows = 0, clickPairs = 0
        for n in 0..<titleCount {
            let real = (0..<titleLength).filter { titles[n * titleLength + $0] != 0 }.count
            tokenRows += real
            tokenPairs += real * real
        }
        for user in 0..<batchSize {
            let real = (0..<historyLength).filter { historyMask[user * historyLength + $0] != 0 }.count
            clickRows += real
            clickPairs += real * real
        }
        newsFlops = ModelBenchmark.forwardFlops(configuration, input: configuration.wordDimension, rows: tokenRows,
                                                pairs: tokenPairs)
        userFlops = ModelBenchmark.forwardFlops(configuration, input: hiddenSize, rows: clickRows, pairs: clickPairs)
    }

    /// Packs the padded `[batch × history × hidden]` histories (the encoder input format of the PyTorch reference).
    func packHistories() {
        let t = historyLength, h = hiddenSize
        var packed = 0
        var offsets: [Int32] = [0]
        for user in 0..<batchSize {
            for i in 0..<t where historyMask[user * t + i] != 0 {
                (packedHistory.pointer + packed * h).update(from: historyVectors.pointer + (user * t + i) * h, count: h)
                packed += 1
            }
            offsets.append(Int32(packed))
        }
        historyOffsets.assign(offsets)
    }

    /// The titles as the news encoder reads them (packed, no padding).
    var packedTitles: PackedSequences { PackedSequences(padded: titles, width: titleLength, padding: 0) }

    /// The whole training batch.
    var batch: Batch {
        Batch(paddedTitles: titles, titleLength: titleLength, paddedHistories: histories, historyLength: historyLength,
              candidates: candidates, candidateCount: candidateCount)
    }
}

/// One attention layer of the scaling table with its input, output gradient and gradient buffers.
final class AttentionLayerInputs {
    private let layer: any SequenceAttention
    private let parameters: NRMSParameters
    private let gradients: NRMSGradients
    private let input: Tensor, outputGradient: Tensor, inputGradient: Tensor
    private let offsets = IndexBuffer()
    private let sequences: Int, dropout: Float, threads: Int
    private var seed: UInt64 = 0

    /// `sequences` sequences of `length` real positions each, input size = hidden size.
    init(configuration: NRMSConfiguration, sequences: Int, length: Int, threads: Int) throws {
        let h = configuration.hiddenSize, heads = configuration.headCount, rows = sequences * length
        parameters = try NRMSParameters(configuration: configuration, seed: 3)
        let layout = parameters.layout
        layer = configuration.encoder == .fastformer
            ? FastformerAttention(layout: layout, prefix: "news_encoder.attention.", heads: heads, threads: threads)
            : MultiHeadSelfAttention(layout: layout, prefix: "news_encoder.attention.", heads: heads, threads: threads)
        input = Tensor(shape: [rows, h])
        outputGradient = Tensor(shape: [rows, h])
        inputGradient = Tensor(shape: [rows, h])
        offsets.assign((0...sequences).map { Int32($0 * length) })
        var rng = SplitMix64(seed: 4)
        rng.fillGaussian(input.pointer, count: input.count, standardDeviation: 1)
        gradients = NRMSGradients(layout: layout)
        self.sequences = sequences
        self.threads = threads
        dropout = configuration.dropout
    }

    /// Forward, dropout on the output, an all-ones output gradient with the same dropout, backward.
    func forwardBackward() {
        let w = UnsafePointer(parameters.values.pointer)
        gradients.zero()
        seed &+= 1
        layer.forward(parameters: w, input: input.pointer, offsets: offsets.pointer, sequences: sequences)
        applyDropout(to: layer.output.pointer)
        for i in 0..<outputGradient.count { outputGradient[i] = 1 }
        applyDropout(to: outputGradient.pointer)
        layer.backward(parameters: w, gradients: gradients.denseBase, outputGradient: outputGradient.pointer,
                       inputGradient: inputGradient.pointer)
    }

    /// Dropout in place over the layer's output size, split over the threads as the encoders split it.
    private func applyDropout(to values: UnsafeMutablePointer<Float>) {
        let data = DisjointWrites(values), seed = self.seed, probability = dropout
        parallelFor(input.count, threads: threads, minimumChunk: 4096) { range in
            VectorMath.dropout(data.base + range.lowerBound, data.base + range.lowerBound, count: range.count,
                               probability: probability, seed: seed, offset: range.lowerBound)
        }
    }
}
