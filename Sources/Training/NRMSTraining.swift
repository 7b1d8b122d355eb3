import Basics
import Foundation
import MIND
import NewsModel

/// The model sizes a training run chooses (the vocabulary size comes from the corpus).
public struct ModelOptions: Sendable, Equatable {
    public var encoder: NRMSConfiguration.Encoder
    public var hiddenSize: Int
    public var headCount: Int
    /// Word-embedding size when no word vectors are given (otherwise the vectors' dimension).
    public var wordDimension: Int
    public var poolingDimension: Int
    public var dropout: Float

    public init(encoder: NRMSConfiguration.Encoder = .fastformer, hiddenSize: Int = 256, headCount: Int = 16,
                wordDimension: Int = 300, poolingDimension: Int = 200, dropout: Float = 0.2) {
        self.encoder = encoder
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.wordDimension = wordDimension
        self.poolingDimension = poolingDimension
        self.dropout = dropout
    }
}

/// Building, loading and evaluating NRMS models over a `TrainingCorpus`.
public enum NRMSTraining {
    /// A freshly initialised model for `corpus`: sizes from `options`, title and history lengths from the corpus
    /// tables, word-embedding rows from `wordVectors` where the word has one.
    /// - Returns: the model and the number of vocabulary words found in `wordVectors`.
    public static func makeModel(corpus: TrainingCorpus, options: ModelOptions, wordVectors: WordVectors?,
                                 training: TrainingOptions, parallelism: Parallelism) throws
        -> (model: NRMSModel, pretrainedWords: Int) {
        let historyLength = corpus.splits.values.first?.historyLength ?? 50
        let configuration = NRMSConfiguration(
            encoder: options.encoder, wordDimension: wordVectors?.dimension ?? options.wordDimension,
            hiddenSize: options.hiddenSize, headCount: options.headCount, poolingDimension: options.poolingDimension,
            titleLength: corpus.news.titleLength, historyLength: historyLength,
            vocabularySize: corpus.vocabulary.count, dropout: options.dropout)
        var found = 0
        var stream = SplitMix64(seed: training.seed, keys: StreamPurpose.initialization.rawValue)
        let parameters = try NRMSParameters(configuration: configuration, seed: stream.next()) { row in
            guard let vectors = wordVectors, row >= 2,
                  let vector = vectors.vector(for: corpus.vocabulary.token(at: Int32(row))) else { return nil }
            found += 1
            return vector
        }
        let model = try NRMSModel(parameters: parameters, vocabulary: corpus.vocabulary)
        model.optimizer.threads = parallelism.threads
        model.optimizer.defersUntouchedRows = true
        return (model, found)
    }

    /// A model loaded from a checkpoint directory or a run directory's latest checkpoint, and the checkpoint
    /// directory it came from.
    public static func loadModel(from url: URL, parallelism: Parallelism) throws -> (model: NRMSModel, checkpoint: URL) {
        let checkpoint = try Checkpoint.resolve(url)
        let model = try Checkpoint.load(from: checkpoint)
        model.optimizer.threads = parallelism.threads
        return (model, checkpoint)
    }
}
