import Basics
import Foundation
import TensorMath

/// One training or inference batch, in the layout of docs/ARCHITECTURE.md "Contract: model batch".
///
/// Every distinct news appears once in `titles`; histories and candidates refer to its row. So each news is
/// encoded once per batch and its gradient gathers all of its uses.
public struct ModelBatch: Sendable {
    /// `[newsCount × titleLength]` token ids, right-padded with 0.
    public var titles: [Int32]
    /// Tokens per title in this batch (≤ the configuration's title length).
    public var titleLength: Int
    /// `[size × historyLength]` row indices into `titles`, -1 = padding (real clicks at the end).
    public var histories: [Int32]
    /// Clicks per history (≤ the configuration's history length).
    public var historyLength: Int
    /// `[size × candidateCount]` row indices into `titles`; column 0 is the clicked news.
    public var candidates: [Int32]
    /// 1 + negatives.
    public var candidateCount: Int

    public init(titles: [Int32], titleLength: Int, histories: [Int32], historyLength: Int, candidates: [Int32],
                candidateCount: Int) {
        self.titles = titles
        self.titleLength = titleLength
        self.histories = histories
        self.historyLength = historyLength
        self.candidates = candidates
        self.candidateCount = candidateCount
    }

    /// The number of distinct news (rows of `titles`).
    public var newsCount: Int { titleLength == 0 ? 0 : titles.count / titleLength }
    /// The number of samples (users with candidates).
    public var size: Int { candidateCount == 0 ? 0 : candidates.count / candidateCount }
}

/// Per-thread working memory of an NRMS model: activations, scratch and a gradient buffer, sized once for
/// the largest batch and reused for every step (no allocation in `lossAndGradients`).
///
/// Typical training step with `W` workers (each with its own workspace, `BLAS.setThreadCount(1)` and
/// `threads: 1`), or one workspace with `threads: 2` and `BLAS.setThreadCount(2)`:
/// ```
/// workspace.gradients.zero()
/// let loss = try workspace.lossAndGradients(parameters: parameters, batch: batch, training: true, rng: &rng)
/// // (sum other workers' gradients into one: gradients.add(other.gradients))
/// adam.step(parameters: parameters, gradients: workspace.gradients)
/// ```
/// A workspace is used by one thread at a time; `parameters` may be shared by many workspaces.
public final class NRMSWorkspace: @unchecked Sendable {
    public let configuration: NRMSConfiguration
    public let layout: ParameterLayout
    /// Gradients accumulated by `lossAndGradients` (never zeroed by it: call `gradients.zero()`).
    public let gradients: NRMSGradients
    /// The largest batch: samples and distinct news.
    public let maxBatchSize: Int, maxNews: Int
    public let threads: Int
    public let newsEncoder: NewsEncoder
    public let userEncoder: SequenceEncoder
    let historyVectors: Tensor, historyGradient: Tensor
    /// Packed histories: user `b` has rows `historyOffsets[b]..<historyOffsets[b+1]`, row `r` is news `historyNews[r]`.
    let historyOffsets: UnsafeMutablePointer<Int32>, historyNews: UnsafeMutablePointer<Int32>
    let newsGradient: Tensor, userGradient: Tensor
    let scoreValues: Tensor
    var lastBatchSize = 0, lastNewsCount = 0, lastCandidateCount = 0

    /// - Parameters:
    ///   - maxBatchSize: the most samples per call.
    ///   - maxNews: the most distinct titles per call (at most `maxBatchSize · (historyLength + candidates)`).
    ///   - maxCandidates: the most candidates per sample (1 + negatives).
    ///   - threads: workers for the per-sequence loops (BLAS threads are set separately, `BLAS.setThreadCount`).
    public init(configuration: NRMSConfiguration, maxBatchSize: Int, maxNews: Int, maxCandidates: Int = 5,
                threads: Int = 1) throws {
        try configuration.validate()
        self.configuration = configuration
        layout = ParameterLayout(configuration: configuration)
        gradients = NRMSGradients(layout: layout)
        self.maxBatchSize = maxBatchSize
        self.maxNews = maxNews
        self.threads = max(1, threads)
        let h = configuration.hiddenSize, t = configuration.historyLength
        newsEncoder = NewsEncoder(configuration: configuration, layout: layout, maxNews: maxNews, threads: threads)
        userEncoder = SequenceEncoder(configuration: configuration, layout: layout, prefix: "user_encoder.",
                                      maxSequences: maxBatchSize, maxRows: maxBatchSize * t, maxLength: t,
                                      threads: threads)
        historyVectors = Tensor(shape: [maxBatchSize * t, h])
        historyOffsets = .allocate(capacity: maxBatchSize + 1)
        historyOffsets.initialize(repeating: 0, count: maxBatchSize + 1)
        historyNews = .allocate(capacity: max(maxBatchSize * t, 1))
        historyGradient = Tensor(shape: [maxBatchSize * t, h])
        newsGradient = Tensor(shape: [maxNews, h])
        userGradient = Tensor(shape: [maxBatchSize, h])
        scoreValues = Tensor(shape: [maxBatchSize, maxCandidates])
        self.maxCandidates = maxCandidates
    }

    let maxCandidates: Int

    deinit {
        historyOffsets.deallocate()
        historyNews.deallocate()
    }

    /// Checks that `batch` fits this workspace and refers only to valid rows and tokens.
    public func validate(_ batch: ModelBatch) throws {
        let c = configuration
        guard batch.titleLength >= 1, batch.titleLength <= c.titleLength, batch.titles.count % batch.titleLength == 0 else {
            throw ModelError.invalidBatch("title length \(batch.titleLength) must be in 1...\(c.titleLength) and divide \(batch.titles.count) tokens")
        }
        guard batch.newsCount <= maxNews else {
            throw ModelError.invalidBatch("\(batch.newsCount) titles exceed the workspace capacity \(maxNews)")
        }
        guard batch.candidateCount >= 1, batch.candidateCount <= maxCandidates,
              batch.candidates.count % batch.candidateCount == 0, batch.size <= maxBatchSize else {
            throw ModelError.invalidBatch("\(batch.candidates.count) candidates in rows of \(batch.candidateCount) do not fit \(maxBatchSize) samples × \(maxCandidates)")
        }
        guard batch.historyLength >= 1, batch.historyLength <= c.historyLength,
              batch.histories.count == batch.size * batch.historyLength else {
            throw ModelError.invalidBatch("histories must be [\(batch.size) × historyLength ≤ \(c.historyLength)], got \(batch.histories.count) entries")
        }
        if let bad = batch.titles.firstIndex(where: { $0 < 0 || Int($0) >= c.vocabularySize }) {
            throw ModelError.invalidBatch("token \(batch.titles[bad]) at title \(bad / batch.titleLength) is outside the vocabulary of \(c.vocabularySize)")
        }
        let news = Int32(batch.newsCount)
        if let bad = batch.histories.firstIndex(where: { $0 < -1 || $0 >= news }) {
            throw ModelError.invalidBatch("history entry \(batch.histories[bad]) is not -1 or a title row < \(news)")
        }
        if let bad = batch.candidates.firstIndex(where: { $0 < 0 || $0 >= news }) {
            throw ModelError.invalidBatch("candidate \(batch.candidates[bad]) is not a title row < \(news)")
        }
    }

    // MARK: - Training

    /// Forward and backward over `batch`: returns the loss and ADDS its gradient to `gradients`.
    ///
    /// Loss = Σ_samples cross-entropy(softmax(scores), column 0) / `lossDivisor` (default: the batch size,
    /// i.e. the mean). When one global batch is split over several workspaces, pass the global batch size
    /// as `lossDivisor` to each, then sum their losses and gradients.
    ///
    /// - Parameters:
    ///   - training: dropout on (seeded from `rng`) or off.
    public func lossAndGradients(parameters: NRMSParameters, batch: ModelBatch, training: Bool,
                                 rng: inout SplitMix64, lossDivisor: Int? = nil) throws -> Float {
        let seed = rng.next()
        let loss = try forward(parameters: parameters, batch: batch, dropoutSeed: training ? seed : nil,
                               lossDivisor: lossDivisor)
        backward(parameters: parameters, batch: batch, lossDivisor: lossDivisor)
        return loss
    }

    /// Forward pass only (no gradients): the loss, with news vectors, user vectors and scores kept for
    /// `newsVectors()`, `userVectors()` and `scores()`.
    public func loss(parameters: NRMSParameters, batch: ModelBatch, lossDivisor: Int? = nil) throws -> Float {
        try forward(parameters: parameters, batch: batch, dropoutSeed: nil, lossDivisor: lossDivisor)
    }

    /// `[newsCount × hidden]` news vectors of the last forward pass.
    public func newsVectors() -> [Float] {
        Array(UnsafeBufferPointer(start: newsEncoder.output, count: lastNewsCount * configuration.hiddenSize))
    }

    /// `[batch × hidden]` user vectors of the last forward pass.
    public func userVectors() -> [Float] {
        Array(UnsafeBufferPointer(start: userEncoder.output, count: lastBatchSize * configuration.hiddenSize))
    }

    /// `[batch × candidates]` click scores of the last forward pass.
    public func scores() -> [Float] { scoreValues.toArray(prefix: lastBatchSize * lastCandidateCount) }

    func forward(parameters: NRMSParameters, batch: ModelBatch, dropoutSeed: UInt64?, lossDivisor: Int?) throws -> Float {
        precondition(parameters.layout == layout, "parameters of another configuration")
        try validate(batch)
        let w = UnsafePointer(parameters.values.pointer), h = configuration.hiddenSize
        let size = batch.size, t = batch.historyLength, c = batch.candidateCount
        lastBatchSize = size; lastNewsCount = batch.newsCount; lastCandidateCount = c
        batch.titles.withUnsafeBufferPointer { titles in
            newsEncoder.forward(parameters: w, tokens: titles.baseAddress!, news: batch.newsCount,
                                length: batch.titleLength, dropoutSeed: dropoutSeed)
        }
        let news = newsEncoder.output
        var packed = 0
        for b in 0..<size {
            historyOffsets[b] = Int32(packed)
            for i in 0..<t where batch.histories[b * t + i] >= 0 {
                let index = Int(batch.histories[b * t + i])
                historyNews[packed] = Int32(index)
                (historyVectors.pointer + packed * h).update(from: news + index * h, count: h)
                packed += 1
            }
        }
        historyOffsets[size] = Int32(packed)
        userEncoder.forward(parameters: w, input: historyVectors.pointer, offsets: historyOffsets, sequences: size,
                            dropoutSeed: dropoutSeed.map { $0 &+ 0x2545_F491_4F6C_DD1D })
        let users = userEncoder.output
        var total = 0.0
        for b in 0..<size {
            let row = scoreValues.pointer + b * c
            for j in 0..<c {
                row[j] = VectorMath.dot(users + b * h, news + Int(batch.candidates[b * c + j]) * h, count: h)
            }
            var maximum = row[0]
            for j in 1..<c { maximum = max(maximum, row[j]) }
            var sum = 0.0
            for j in 0..<c { sum += Double(Foundation.exp(row[j] - maximum)) }
            total += Double(maximum) + Foundation.log(sum) - Double(row[0])
        }
        return Float(total / Double(lossDivisor ?? max(size, 1)))
    }

    func backward(parameters: NRMSParameters, batch: ModelBatch, lossDivisor: Int?) {
        let w = UnsafePointer(parameters.values.pointer), h = configuration.hiddenSize
        let size = batch.size, c = batch.candidateCount
        let divisor = Float(lossDivisor ?? max(size, 1))
        let news = newsEncoder.output, users = userEncoder.output
        newsGradient.zero(prefix: batch.newsCount * h)
        for b in 0..<size {
            let row = scoreValues.pointer + b * c
            var maximum = row[0]
            for j in 1..<c { maximum = max(maximum, row[j]) }
            var sum: Float = 0
            for j in 0..<c { sum += Foundation.exp(row[j] - maximum) }
            let dUser = userGradient.pointer + b * h
            dUser.update(repeating: 0, count: h)
            for j in 0..<c {
                let probability = Foundation.exp(row[j] - maximum) / sum
                let dScore = (probability - (j == 0 ? 1 : 0)) / divisor
                let candidate = Int(batch.candidates[b * c + j])
                VectorMath.axpy(dScore, news + candidate * h, dUser, count: h)
                VectorMath.axpy(dScore, users + b * h, newsGradient.pointer + candidate * h, count: h)
            }
        }
        userEncoder.backward(parameters: w, gradients: gradients.values.pointer, outputGradient: userGradient.pointer,
                             inputGradient: historyGradient.pointer)
        for row in 0..<Int(historyOffsets[size]) {
            let index = Int(historyNews[row])
            VectorMath.add(historyGradient.pointer + row * h, into: newsGradient.pointer + index * h, count: h)
        }
        newsEncoder.backward(parameters: w, gradients: gradients, outputGradient: newsGradient.pointer)
    }

    // MARK: - Inference

    /// Encodes titles `[count × titleLength]` (0 = padding) into news vectors `[count × hidden]`, in chunks
    /// of the workspace capacity. Evaluation mode (no dropout).
    public func encodeNews(parameters: NRMSParameters, titles: [Int32], titleLength: Int) -> [Float] {
        precondition(titleLength >= 1 && titleLength <= configuration.titleLength && titles.count % titleLength == 0)
        let h = configuration.hiddenSize, count = titles.count / titleLength
        var result = [Float](repeating: 0, count: count * h)
        var start = 0
        titles.withUnsafeBufferPointer { tokens in
            while start < count {
                let n = min(maxNews, count - start)
                newsEncoder.forward(parameters: parameters.values.pointer, tokens: tokens.baseAddress! + start * titleLength,
                                    news: n, length: titleLength, dropoutSeed: nil)
                for i in 0..<n * h { result[start * h + i] = newsEncoder.output[i] }
                start += n
            }
        }
        return result
    }

    /// Encodes users from the vectors of their clicked news, `historyVectors [users × length × hidden]` with
    /// `mask [users × length]` (1 = real click, 0 = padding), into user vectors `[users × hidden]`.
    /// A user without clicks gets the zero vector.
    public func encodeUsers(parameters: NRMSParameters, historyVectors: [Float], mask: [Float], length: Int) -> [Float] {
        let h = configuration.hiddenSize
        precondition(length >= 1 && length <= configuration.historyLength && mask.count % length == 0
                     && historyVectors.count == mask.count * h)
        let count = mask.count / length
        var result = [Float](repeating: 0, count: count * h)
        var start = 0
        while start < count {
            let n = min(maxBatchSize, count - start)
            var packed = 0
            for user in 0..<n {
                historyOffsets[user] = Int32(packed)
                for i in 0..<length where mask[(start + user) * length + i] != 0 {
                    let source = ((start + user) * length + i) * h
                    for j in 0..<h { self.historyVectors[packed * h + j] = historyVectors[source + j] }
                    packed += 1
                }
            }
            historyOffsets[n] = Int32(packed)
            userEncoder.forward(parameters: parameters.values.pointer, input: self.historyVectors.pointer,
                                offsets: historyOffsets, sequences: n, dropoutSeed: nil)
            for i in 0..<n * h { result[start * h + i] = userEncoder.output[i] }
            start += n
        }
        return result
    }

    /// Click scores `users [users × hidden] · newsᵀ [news × hidden]` → `[users × news]` (one sgemm).
    public static func scores(users: [Float], news: [Float], hidden: Int) -> [Float] {
        let u = users.count / hidden, n = news.count / hidden
        var result = [Float](repeating: 0, count: u * n)
        users.withUnsafeBufferPointer { a in
            news.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transposeB: true, m: u, n: n, k: hidden, a: a.baseAddress!, lda: hidden,
                              b: b.baseAddress!, ldb: hidden, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return result
    }
}
