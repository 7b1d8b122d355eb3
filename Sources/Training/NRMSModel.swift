import Basics
import Foundation
import MIND
import NewsModel
import TensorMath

/// The NRMS model (NewsModel) with its Adam state, as the trainer and evaluator use it.
public final class NRMSModel: TrainableModel {
    /// One worker's memory: an `NRMSWorkspace` sized for the worker's share of a batch.
    public final class Workspace {
        public let workspace: NRMSWorkspace
        var batch: ModelBatch

        init(_ workspace: NRMSWorkspace) {
            self.workspace = workspace
            self.batch = ModelBatch(titles: [], titleLength: 1, histories: [], historyLength: 1, candidates: [],
                                    candidateCount: 1)
        }
    }

    public let configuration: NRMSConfiguration
    /// Tokens by id, saved with every checkpoint.
    public let vocabulary: [String]
    public private(set) var parameters: NRMSParameters
    public private(set) var optimizer: Adam
    /// The most samples one workspace takes (a worker's share of a batch).
    public let maxSamplesPerWorkspace: Int
    /// Candidates per sample (1 + negatives).
    public let candidateCount: Int
    /// Threads of each workspace's own per-sequence loops (use them when BLAS is multi-threaded, 1 worker).
    public let workspaceThreads: Int

    /// A model with `parameters`, an Adam optimizer at step 0, and workspaces for shares of up to
    /// `maxSamplesPerWorkspace` samples of `candidateCount` candidates.
    /// - Parameter vocabulary: `configuration.vocabularySize` tokens by id.
    public init(parameters: NRMSParameters, vocabulary: [String], maxSamplesPerWorkspace: Int = 64,
                candidateCount: Int = 5, workspaceThreads: Int = 1, optimizerThreads: Int = 1) {
        self.configuration = parameters.configuration
        self.vocabulary = vocabulary
        self.parameters = parameters
        self.optimizer = Adam(layout: parameters.layout, threads: optimizerThreads)
        self.maxSamplesPerWorkspace = max(1, maxSamplesPerWorkspace)
        self.candidateCount = candidateCount
        self.workspaceThreads = max(1, workspaceThreads)
    }

    public var historyLength: Int { configuration.historyLength }
    public var vectorDimension: Int { configuration.hiddenSize }

    public func makeWorkspace() -> Workspace {
        let samples = maxSamplesPerWorkspace
        // A share's distinct titles are at most one per history slot and candidate; inference chunks are
        // bounded by the same capacity (NRMSWorkspace encodes larger inputs in pieces).
        let maxNews = max(samples * (configuration.historyLength + candidateCount), 256)
        do {
            return Workspace(try NRMSWorkspace(configuration: configuration, maxBatchSize: max(samples, 256),
                                               maxNews: maxNews, maxCandidates: candidateCount,
                                               threads: workspaceThreads))
        } catch {
            preconditionFailure("workspace for a validated configuration: \(error)")
        }
    }

    public func lossAndGradients(_ batch: TrainingBatch, workspace: Workspace, dropoutSeed: UInt64,
                                 lossDivisor: Int) throws -> Float {
        workspace.batch.titles = batch.titles
        workspace.batch.titleLength = batch.titleLength
        workspace.batch.histories = batch.histories
        workspace.batch.historyLength = batch.historyLength
        workspace.batch.candidates = batch.candidates
        workspace.batch.candidateCount = batch.width
        workspace.workspace.gradients.zero()
        var random = SplitMix64(seed: dropoutSeed)
        return try workspace.workspace.lossAndGradients(parameters: parameters, batch: workspace.batch,
                                                         training: true, rng: &random, lossDivisor: lossDivisor)
    }

    public func applyGradients(from workspaces: [Workspace], learningRate: Float) {
        guard let first = workspaces.first else { return }
        for other in workspaces.dropFirst() { first.workspace.gradients.add(other.workspace.gradients) }
        optimizer.learningRate = learningRate
        optimizer.step(parameters: parameters, gradients: first.workspace.gradients)
    }

    public func encodeNews(titles: [Int32], count: Int, titleLength: Int, workspace: Workspace) -> [Float] {
        workspace.workspace.encodeNews(parameters: parameters, titles: titles, titleLength: titleLength)
    }

    public func encodeUsers(histories: [Int32], count: Int, newsVectors: [Float], workspace: Workspace) -> [Float] {
        let h = configuration.hiddenSize, length = histories.count / max(count, 1)
        var vectors = [Float](repeating: 0, count: histories.count * h)
        var mask = [Float](repeating: 0, count: histories.count)
        newsVectors.withUnsafeBufferPointer { news in
            vectors.withUnsafeMutableBufferPointer { destination in
                for (slot, row) in histories.enumerated() where row >= 0 {
                    (destination.baseAddress! + slot * h).update(from: news.baseAddress! + Int(row) * h, count: h)
                    mask[slot] = 1
                }
            }
        }
        return workspace.workspace.encodeUsers(parameters: parameters, historyVectors: vectors, mask: mask,
                                               length: length)
    }

    public func save(to directory: URL) throws {
        try Checkpoint.save(parameters: parameters, vocabulary: vocabulary, optimizer: optimizer, to: directory)
    }

    /// Loads parameters and optimizer state saved by `save(to:)` (same configuration and vocabulary).
    public func load(from directory: URL) throws {
        let contents = try Checkpoint.load(from: directory)
        guard contents.parameters.configuration == configuration else {
            throw TrainingDataError(source: directory.path, expected: "a checkpoint of the configuration being trained")
        }
        guard contents.vocabulary == vocabulary else {
            throw TrainingDataError(source: directory.path, expected: "the vocabulary built from the store")
        }
        guard let optimizer = contents.optimizer else {
            throw TrainingDataError(source: directory.path, expected: "optimizer.safetensors to resume training")
        }
        optimizer.threads = self.optimizer.threads
        self.parameters = contents.parameters
        self.optimizer = optimizer
    }
}
