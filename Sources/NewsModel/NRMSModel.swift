import Basics
import Foundation
import MIND
import Synchronization
import TensorMath

/// The NRMS model (Wu et al. 2019) with Fastformer (Wu et al. 2021) or multi-head self-attention encoders: the one
/// facade over the encoders, used alike by training, evaluation and ranking.
///
/// A model is its weights (`parameters`), its `vocabulary` and the state of its Adam optimizer. Work happens in a
/// `Workspace` (activations, scratch and gradients of one thread); the model itself is read-only while workers run,
/// and only `optimizer.step` writes the weights, between steps.
///
/// One training step of one shard, top to bottom (`forward` then `backward`, layer by layer as in llm.c's
/// `gpt2_forward`/`gpt2_backward`):
/// ```
/// titles  [tokens]          → word embedding → dropout → news attention → dropout → pooling → news  [news × H]
/// histories [rows]          → gather news rows                                              → clicks [rows × H]
/// clicks                    → user attention → dropout → pooling                            → users [size × H]
/// users · news[candidates]  → click scores                                                  → scores [size × C]
/// scores                    → softmax cross-entropy against column 0                        → loss
/// ```
public final class NRMSModel: @unchecked Sendable {
    public let configuration: NRMSConfiguration
    /// The weights, in the layout of `model.safetensors`.
    public let parameters: NRMSParameters
    /// The words of the embedding rows; written to `vocab.txt` with every checkpoint.
    public let vocabulary: Vocabulary
    /// Adam's moments and step count (zero for a fresh model).
    public let optimizer: Adam
    /// Idle inference workspaces (`takeWorkspace`).
    private let pool = Mutex<[Workspace]>([])
    /// The complete gradient of the current step (`applyGradient`).
    private lazy var stepGradient = NRMSGradients(layout: parameters.layout)

    /// A model with `parameters` and `vocabulary`, and a fresh optimizer unless one is given.
    /// - Throws: `ModelError.invalidConfiguration` when the vocabulary does not have `vocab_size` words.
    public init(parameters: NRMSParameters, vocabulary: Vocabulary, optimizer: Adam? = nil) throws {
        guard vocabulary.count == parameters.configuration.vocabularySize else {
            throw ModelError.invalidConfiguration("vocabulary has \(vocabulary.count) tokens, vocab_size is \(parameters.configuration.vocabularySize)")
        }
        configuration = parameters.configuration
        self.parameters = parameters
        self.vocabulary = vocabulary
        self.optimizer = optimizer ?? Adam(layout: parameters.layout)
    }

    /// H: the length of news and user vectors.
    public var dimension: Int { configuration.hiddenSize }
    /// T: how many of a user's most recent clicks the user encoder reads.
    public var historyLength: Int { configuration.historyLength }

    /// One Adam step along a complete gradient (summed over all shards) given as flat arrays: the dense part
    /// `[parameters after the embedding]` and the embedding rows `rowIDs` with `rowValues [rows × E]`.
    public func applyGradient(dense: UnsafeBufferPointer<Float>, rowIDs: [Int32], rowValues: UnsafeBufferPointer<Float>,
                              learningRate: Float) {
        stepGradient.assign(dense: dense, rowIDs: rowIDs, rowValues: rowValues)
        optimizer.learningRate = learningRate
        optimizer.step(parameters: parameters, gradients: stepGradient)
    }

    /// Brings the word-embedding rows of `tokens` up to date before a forward pass reads them, when the optimizer
    /// defers embedding rows (`Adam.defersUntouchedRows`). Call from one thread, before the workers start.
    public func prepareRows(_ tokens: some Sequence<Int32>) {
        optimizer.catchUp(rows: tokens, parameters: parameters)
    }

    /// Brings the weights and the optimizer state up to date when the optimizer defers embedding rows
    /// (`Adam.defersUntouchedRows`): call before reading `parameters` after training steps.
    public func synchronizeParameters() {
        optimizer.synchronize(parameters: parameters)
    }

    /// The token ids of `title` as the model reads it: its first `titleLength` tokens, unknown words → `[UNK]`.
    public func titleTokens(_ title: String) -> [Int32] {
        vocabulary.encode(title, length: configuration.titleLength)
    }

    /// Per-thread working memory: activations, scratch and a gradient buffer, grown to what the batches need and
    /// reused from batch to batch. Used by one thread at a time.
    public final class Workspace: @unchecked Sendable {
        public let newsEncoder: NewsEncoder
        public let userEncoder: SequenceEncoder
        public let clickScores: ClickScores
        public let loss = SoftmaxCrossEntropy()
        /// Gradients ADDED by `backward` (zero them with `gradients.zero()`).
        public let gradients: NRMSGradients
        /// Packed history rows `[rows × H]` and their gradient; `historyOffsets`/`historyRows` frame them.
        let historyVectors: Tensor, historyGradient: Tensor, newsGradient: Tensor
        let historyOffsets = IndexBuffer(), historyRows = IndexBuffer()
        var lastSize = 0, lastNews = 0, lastWidth = 0, divisor = 1
        let hidden: Int

        /// - Parameter threads: workers for the per-sequence loops inside each layer (use with multi-threaded BLAS
        ///   in one workspace; use 1 when several workspaces run at once).
        public init(configuration: NRMSConfiguration, layout: ParameterLayout, threads: Int = 1) {
            hidden = configuration.hiddenSize
            newsEncoder = NewsEncoder(configuration: configuration, layout: layout, threads: threads)
            userEncoder = SequenceEncoder(configuration: configuration, layout: layout, prefix: "user_encoder.",
                                          threads: threads)
            clickScores = ClickScores(hidden: hidden)
            gradients = NRMSGradients(layout: layout)
            historyVectors = Tensor(shape: [0, hidden])
            historyGradient = Tensor(shape: [0, hidden])
            newsGradient = Tensor(shape: [0, hidden])
        }

        /// `[news × H]` news vectors of the last forward pass.
        public func newsVectors() -> [Float] {
            Array(UnsafeBufferPointer(start: newsEncoder.output, count: lastNews * hidden))
        }

        /// `[size × H]` user vectors of the last forward pass.
        public func userVectors() -> [Float] {
            Array(UnsafeBufferPointer(start: userEncoder.output, count: lastSize * hidden))
        }

        /// `[size × C]` click scores of the last forward pass.
        public func scores() -> [Float] { clickScores.output.toArray(prefix: lastSize * lastWidth) }
    }

    /// A workspace for this model.
    public func makeWorkspace(threads: Int = 1) -> Workspace {
        Workspace(configuration: configuration, layout: parameters.layout, threads: threads)
    }

    // MARK: - Training

    /// The forward pass over `batch`: returns Σ_samples cross-entropy / `lossDivisor` (default: the batch size, i.e.
    /// the mean). Keeps the activations for `backward`. `dropoutSeed` nil = evaluation mode (no dropout).
    public func forward(_ batch: Batch, workspace: Workspace, dropoutSeed: UInt64?, lossDivisor: Int? = nil) throws
        -> Float {
        try batch.validate(for: configuration)
        let w = UnsafePointer(parameters.values.pointer)
        let size = batch.size, width = batch.candidateCount
        workspace.lastSize = size
        workspace.lastNews = batch.newsCount
        workspace.lastWidth = width
        workspace.divisor = lossDivisor ?? max(size, 1)
        // 1. News encoder over every distinct title of the batch.
        workspace.newsEncoder.forward(parameters: w, titles: batch.titles, dropoutSeed: dropoutSeed)
        let news = workspace.newsEncoder.output
        // 2. The users' clicked news, gathered into packed history sequences.
        gatherHistories(batch.histories, news: news, workspace: workspace)
        // 3. User encoder over the histories.
        workspace.userEncoder.forward(parameters: w, input: workspace.historyVectors.pointer,
                                      offsets: workspace.historyOffsets.pointer, sequences: size,
                                      dropoutSeed: dropoutSeed.map { $0 &+ 0x2545_F491_4F6C_DD1D })
        guard width > 0 else { return 0 }
        // 4. Click scores and 5. the loss.
        workspace.clickScores.forward(users: workspace.userEncoder.output, news: news, candidates: batch.candidates,
                                      size: size, width: width)
        return workspace.loss.forward(scores: workspace.clickScores.output.pointer, size: size, width: width,
                                      divisor: workspace.divisor)
    }

    /// The backward pass of the last `forward` over the same `batch`: ADDS the gradient of its loss to
    /// `workspace.gradients`, in reverse layer order.
    public func backward(_ batch: Batch, workspace: Workspace) {
        let w = UnsafePointer(parameters.values.pointer), h = configuration.hiddenSize
        let size = batch.size, width = batch.candidateCount
        let news = workspace.newsEncoder.output, users = workspace.userEncoder.output
        workspace.newsGradient.reserve(rows: batch.newsCount)
        workspace.newsGradient.zero(prefix: batch.newsCount * h)
        // 5. → 4. Loss gradient through the click scores, into the user vectors and the candidates' news vectors.
        workspace.clickScores.backward(users: users, news: news, candidates: batch.candidates, size: size,
                                       width: width, scoreGradient: workspace.loss.backward(),
                                       newsGradient: workspace.newsGradient.pointer)
        // 3. User encoder, into the gathered history rows.
        workspace.userEncoder.backward(parameters: w, gradients: workspace.gradients.denseBase,
                                       outputGradient: workspace.clickScores.userGradient.pointer,
                                       inputGradient: workspace.historyGradient.pointer)
        // 2. Scatter the history rows' gradients back onto their news.
        let rows = workspace.historyRows
        for row in 0..<rows.count {
            VectorMath.add(workspace.historyGradient.pointer + row * h,
                           into: workspace.newsGradient.pointer + Int(rows.pointer[row]) * h, count: h)
        }
        // 1. News encoder, down to the word embedding.
        workspace.newsEncoder.backward(parameters: w, gradients: workspace.gradients,
                                       outputGradient: workspace.newsGradient.pointer)
    }

    /// Copies the history rows' news vectors into `workspace.historyVectors` (packed, user by user).
    private func gatherHistories(_ histories: PackedSequences, news: UnsafePointer<Float>, workspace: Workspace) {
        let h = configuration.hiddenSize
        workspace.historyOffsets.assign(histories.offsets)
        workspace.historyRows.assign(histories.values)
        workspace.historyVectors.reserve(rows: histories.values.count)
        workspace.historyGradient.reserve(rows: histories.values.count)
        for (row, index) in histories.values.enumerated() {
            (workspace.historyVectors.pointer + row * h).update(from: news + Int(index) * h, count: h)
        }
    }

    // MARK: - Inference

    /// News vectors `[titles.count × H]` of `titles` (evaluation mode).
    public func encodeNews(_ titles: PackedSequences, workspace: Workspace) -> [Float] {
        workspace.newsEncoder.forward(parameters: parameters.values.pointer, titles: titles, dropoutSeed: nil)
        workspace.lastNews = titles.count
        return workspace.newsVectors()
    }

    /// User vectors `[histories.count × H]` from the vectors of their clicked news: `histories` holds rows of
    /// `newsVectors [news × H]`, oldest first. A user without clicks gets the zero vector (evaluation mode).
    public func encodeUsers(_ histories: PackedSequences, newsVectors: UnsafePointer<Float>, workspace: Workspace)
        -> [Float] {
        gatherHistories(histories, news: newsVectors, workspace: workspace)
        workspace.userEncoder.forward(parameters: parameters.values.pointer, input: workspace.historyVectors.pointer,
                                      offsets: workspace.historyOffsets.pointer, sequences: histories.count,
                                      dropoutSeed: nil)
        workspace.lastSize = histories.count
        return workspace.userVectors()
    }

    /// News vectors `[titles.count × H]` of titles encoded one at a time, spread over `threads` workers with
    /// workspaces from the model's pool: a vector then depends only on its title and the weights (never on which
    /// other titles were encoded with it), so a cached vector equals a fresh one bit for bit.
    /// Call with single-threaded BLAS when `threads > 1`.
    public func encodeEach(_ titles: [[Int32]], threads: Int) -> [Float] {
        let h = configuration.hiddenSize
        var vectors = [Float](repeating: 0, count: titles.count * h)
        let workers = max(1, min(threads, titles.count))
        let spaces = (0..<workers).map { _ in takeWorkspace() }
        vectors.withUnsafeMutableBufferPointer { buffer in
            let out = DisjointWrites(buffer.baseAddress!)
            parallelForWorkers(titles.count, threads: workers) { worker, range in
                for index in range {
                    var title = PackedSequences()
                    title.append(titles[index])
                    let vector = encodeNews(title, workspace: spaces[worker])
                    vector.withUnsafeBufferPointer { (out.base + index * h).update(from: $0.baseAddress!, count: h) }
                }
            }
        }
        for space in spaces { returnWorkspace(space) }
        return vectors
    }

    /// A single-threaded workspace from the model's pool (made when none is free); give it back with
    /// `returnWorkspace`. For inference callers that do not keep workspaces of their own. Thread-safe.
    public func takeWorkspace() -> Workspace {
        pool.withLock { $0.popLast() } ?? makeWorkspace()
    }

    /// Puts a workspace from `takeWorkspace` back into the pool.
    public func returnWorkspace(_ workspace: Workspace) {
        pool.withLock { $0.append(workspace) }
    }

    /// Click scores `users [u × H] · newsᵀ [n × H]` → `[u × n]` (one sgemm).
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
