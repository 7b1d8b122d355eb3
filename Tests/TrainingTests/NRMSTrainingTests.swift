import Foundation
import MIND
import NewsModel
import Testing
@testable import Training
import TestSupport

@Suite("NRMS training")
struct NRMSTrainingTests {
    static let tiny = ModelOptions(encoder: .fastformer, hiddenSize: 8, headCount: 2, wordDimension: 6,
                                   poolingDimension: 5, dropout: 0)

    static func model(_ corpus: TrainingCorpus, options: ModelOptions = tiny, encoder: NRMSConfiguration.Encoder,
                      training: TrainingOptions, workers: Int = 1) throws -> NRMSModel {
        var options = options
        options.encoder = encoder
        return try NRMSTraining.makeModel(corpus: corpus, options: options, wordVectors: nil, training: training,
                                          parallelism: .dataParallel(workers)).model
    }

    @Test("deduplicated, trimmed batches give the loss and gradients of naive full-width batches",
          arguments: [NRMSConfiguration.Encoder.fastformer, .mhsa])
    func dedupTrimEquivalence(encoder: NRMSConfiguration.Encoder) throws {
        let corpus = try topicCorpus()
        let table = try #require(corpus.splits[.train])
        let training = TrainingOptions(batchSize: 16, seed: 4)
        let model = try Self.model(corpus, encoder: encoder, training: training)
        let samples = try SampleSet(impressions: table, negatives: 4, seed: 4, epoch: 0)
        func lossAndGradients(deduplicate: Bool) throws -> (Float, [Float], Batch) {
            var builder = BatchBuilder(newsCount: corpus.news.count, deduplicate: deduplicate)
            var batch = Batch()
            builder.build(&batch, samples: samples, range: 0..<16, impressions: table, news: corpus.news,
                          historyLength: model.historyLength)
            let workspace = model.makeWorkspace(threads: 1)
            let loss = try model.lossAndGradients(batch, workspace: workspace, dropoutSeed: 1, lossDivisor: 16)
            return (loss, workspace.gradients.flatValues(), batch)
        }
        let (fastLoss, fastGradients, fastBatch) = try lossAndGradients(deduplicate: true)
        let (naiveLoss, naiveGradients, naiveBatch) = try lossAndGradients(deduplicate: false)
        #expect(fastBatch.newsCount < naiveBatch.newsCount / 2, "dedup removes most rows")
        #expect(abs(fastLoss - naiveLoss) <= 1e-5 * max(1, abs(naiveLoss)), "\(fastLoss) vs \(naiveLoss)")
        let scale = naiveGradients.map(abs).max()!
        #expect(scale > 0)
        let largest = zip(fastGradients, naiveGradients).map { abs($0 - $1) }.max()!
        #expect(largest <= 1e-4 * scale, "largest gradient difference \(largest) of scale \(scale)")
    }

    @Test("the loss decreases and dev AUC rises on a learnable toy task", arguments: [NRMSConfiguration.Encoder.fastformer, .mhsa])
    func learns(encoder: NRMSConfiguration.Encoder) throws {
        let corpus = try topicCorpus()
        let directory = try TemporaryDirectory("nrms").url
        defer { try? FileManager.default.removeItem(at: directory) }
        let training = TrainingOptions(epochs: 8, batchSize: 8, learningRate: 1e-2, seed: 8)
        var options = Self.tiny
        options.dropout = 0.2
        let model = try Self.model(corpus, options: options, encoder: encoder, training: training, workers: 2)
        let dev = try #require(corpus.splits[.dev])
        let before = try #require(try Evaluator(model: model, parallelism: .dataParallel(2))
            .evaluate(dev, news: corpus.news).metrics)
        let trainer = try Trainer(model: model, corpus: corpus, options: training, parallelism: .dataParallel(2),
                              directory: directory)
        let outcome = try trainer.run(resume: false)
        let losses = try trainer.log.read().compactMap { if case .step(let s) = $0 { s.loss } else { nil } }
        let early = losses.prefix(6).reduce(0, +) / 6, late = losses.suffix(6).reduce(0, +) / 6
        #expect(late < early * 0.7, "loss \(early) → \(late)")
        let after = try #require(outcome.devMetrics.last)
        #expect(after.auc > max(0.75, before.auc + 0.1), "dev AUC \(before.auc) → \(after.auc)")
    }

    @Test("resuming after one epoch gives the parameters and optimizer state of an uninterrupted run")
    func resume() throws {
        let corpus = try topicCorpus()
        let training = TrainingOptions(epochs: 2, batchSize: 8, learningRate: 1e-3, seed: 13)
        var options = Self.tiny
        options.dropout = 0.2
        func run(_ directory: URL, epochs: Int, resume: Bool) throws -> NRMSModel {
            var training = training
            training.epochs = epochs
            let model = try Self.model(corpus, options: options, encoder: .fastformer, training: training, workers: 2)
            let trainer = try Trainer(model: model, corpus: corpus, options: training, parallelism: .dataParallel(2),
                                  directory: directory)
            trainer.evaluatesDev = false
            _ = try trainer.run(resume: resume)
            return model
        }
        let straightDirectory = try TemporaryDirectory("nrms").url, splitDirectory = try TemporaryDirectory("nrms").url
        defer { for url in [straightDirectory, splitDirectory] { try? FileManager.default.removeItem(at: url) } }
        let straight = try run(straightDirectory, epochs: 2, resume: false)
        _ = try run(splitDirectory, epochs: 1, resume: false)
        let resumed = try run(splitDirectory, epochs: 2, resume: true)
        #expect(resumed.parameters.values.toArray() == straight.parameters.values.toArray())
        #expect(resumed.optimizer.stepCount == straight.optimizer.stepCount)
        #expect(resumed.optimizer.firstMoment.toArray() == straight.optimizer.firstMoment.toArray())
        #expect(resumed.optimizer.secondMoment.toArray() == straight.optimizer.secondMoment.toArray())
    }

    @Test("the gradients of a batch's two halves, each divided by the whole size, add up to the batch's")
    func sharesAddUp() throws {
        let corpus = try topicCorpus()
        let table = try #require(corpus.splits[.train])
        let model = try Self.model(corpus, encoder: .mhsa, training: TrainingOptions(batchSize: 16, seed: 2))
        let samples = try SampleSet(impressions: table, negatives: 4, seed: 2, epoch: 0)
        var builder = BatchBuilder(newsCount: corpus.news.count)
        func run(_ range: Range<Int>) throws -> (Float, NRMSModel.Workspace) {
            var batch = Batch()
            builder.build(&batch, samples: samples, range: range, impressions: table, news: corpus.news,
                          historyLength: model.historyLength)
            let workspace = model.makeWorkspace(threads: 1)
            return (try model.lossAndGradients(batch, workspace: workspace, dropoutSeed: 0, lossDivisor: 16), workspace)
        }
        let (whole, wholeSpace) = try run(0..<16)
        let (first, firstSpace) = try run(0..<8)
        let (second, secondSpace) = try run(8..<16)
        #expect(abs(first + second - whole) <= 1e-5 * abs(whole))
        firstSpace.gradients.add(secondSpace.gradients)
        let expected = wholeSpace.gradients.flatValues()
        let scale = expected.map(abs).max()!
        let largest = zip(firstSpace.gradients.flatValues(), expected).map { abs($0 - $1) }.max()!
        #expect(largest <= 1e-5 * scale, "largest difference \(largest) of scale \(scale)")
    }
}

@Suite("Deferred embedding updates in training")
struct DeferredTrainingTests {
    @Test("training with deferred embedding rows gives the parameters of the dense Adam update, bit for bit")
    func deferredEqualsDense() throws {
        let corpus = try topicCorpus()
        let training = TrainingOptions(epochs: 2, batchSize: 8, learningRate: 1e-2, seed: 5, shards: 4)
        var options = NRMSTrainingTests.tiny
        options.dropout = 0.2
        func train(defers: Bool) throws -> [UInt32] {
            let folder = try TemporaryDirectory("deferred")
            defer { folder.remove() }
            let model = try NRMSTraining.makeModel(corpus: corpus, options: options, wordVectors: nil,
                                                   training: training, parallelism: .dataParallel(2)).model
            model.optimizer.defersUntouchedRows = defers
            let trainer = try Trainer(model: model, corpus: corpus, options: training, parallelism: .dataParallel(2),
                                      directory: folder.url)
            trainer.evaluatesDev = false
            _ = try trainer.run(resume: false)
            return model.parameters.values.toArray().map(\.bitPattern)
        }
        #expect(try train(defers: true) == train(defers: false))
    }
}
