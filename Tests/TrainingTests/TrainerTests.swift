import Basics
import Foundation
import MIND
import Metrics
import Testing
@testable import Training
import TestSupport

/// A learnable toy corpus: news belong to one of four topics (their titles use that topic's words), each user
/// likes one topic, clicks only news of it, and has a history of it.
func topicCorpus(impressionsPerSplit: Int = 48, seed: UInt64 = 5) throws -> TrainingCorpus {
    var random = SplitMix64(seed: seed, keys: 1234)
    let topics = 4, newsPerTopic = 12
    var news: [(id: NewsID, title: String)] = []
    for topic in 0..<topics {
        for index in 0..<newsPerTopic {
            let length = 2 + random.nextIndex(below: 5)
            let words = (0..<length).map { _ in "t\(topic)w\(random.nextIndex(below: 6))" } + ["news"]
            news.append((NewsID("N\(topic)_\(index)"), words.joined(separator: " ")))
        }
    }
    func impressions(_ offset: Int) -> [Impression] {
        (0..<impressionsPerSplit).map { index in
            let topic = index % topics
            let history = (0..<(index % 7)).map { _ in NewsID("N\(topic)_\(random.nextIndex(below: newsPerTopic))") }
            var candidates: [Candidate] = []
            var used = Set<String>()
            while candidates.count < 6 {
                let other = (topic + 1 + random.nextIndex(below: topics - 1)) % topics
                let id = candidates.count < 2 ? "N\(topic)_\(random.nextIndex(below: newsPerTopic))"
                                              : "N\(other)_\(random.nextIndex(below: newsPerTopic))"
                guard used.insert(id).inserted else { continue }
                candidates.append(Candidate(news: NewsID(id), clicked: candidates.count < 2))
            }
            return Impression(id: offset + index + 1, user: UserID("U\(index)"), time: 0, history: history,
                              candidates: candidates)
        }
    }
    return try TrainingCorpus(news: news, impressions: [.train: impressions(0), .dev: impressions(1000)],
                              titleLength: 30, historyLength: 8)
}

@Suite("Trainer")
struct TrainerTests {
    static func toy(_ corpus: TrainingCorpus) -> ToyModel {
        ToyModel(vocabularySize: corpus.vocabulary.count, dimension: 8, historyLength: 8, seed: 17)
    }

    @Test("loss decreases and dev AUC rises on a learnable toy task")
    func learns() throws {
        let corpus = try topicCorpus()
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = Self.toy(corpus)
        let before = try #require(try Evaluator(model: model, parallelism: .dataParallel(1))
            .evaluate(corpus.splits[.dev]!, news: corpus.news).metrics)
        let trainer = try Trainer(model: model, corpus: corpus,
                              options: TrainingOptions(epochs: 6, batchSize: 8, learningRate: 20, seed: 3),
                              parallelism: .dataParallel(2), directory: directory)
        let outcome = try trainer.run(resume: false)
        let entries = try trainer.log.read()
        let losses = entries.compactMap { if case .step(let s) = $0 { s.loss } else { nil } }
        #expect(losses.count == outcome.state.step)
        let early = losses.prefix(12).reduce(0, +) / 12, late = losses.suffix(12).reduce(0, +) / 12
        #expect(late < early * 0.8, "loss \(early) → \(late)")
        #expect(outcome.devMetrics.count == 6)
        #expect(outcome.devMetrics.last!.auc > max(0.8, before.auc + 0.1), "dev AUC \(before.auc) → \(outcome.devMetrics.last!.auc)")
        #expect(FileManager.default.fileExists(atPath: trainer.reportURL.path))
        #expect(try CheckpointDirectory(url: directory).latest() == outcome.checkpoint)
    }

    @Test("same seed and workers give identical parameters; a batch shared among workers matches one worker")
    func determinism() throws {
        let corpus = try topicCorpus()
        func train(workers: Int, seed: UInt64) throws -> [Float] {
            let directory = try TemporaryDirectory().url
            defer { try? FileManager.default.removeItem(at: directory) }
            let model = Self.toy(corpus)
            let trainer = try Trainer(model: model, corpus: corpus,
                                  options: TrainingOptions(epochs: 2, batchSize: 8, learningRate: 5, seed: seed),
                                  parallelism: .dataParallel(workers), directory: directory)
            trainer.evaluatesDev = false
            _ = try trainer.run(resume: false)
            return model.embeddings
        }
        let one = try train(workers: 2, seed: 9)
        #expect(try train(workers: 2, seed: 9) == one)
        #expect(try train(workers: 2, seed: 10) != one)
        let serial = try train(workers: 1, seed: 9)
        let largest = zip(one, serial).map { abs($0 - $1) }.max()!
        #expect(largest < 1e-4, "2 workers vs 1 differ by \(largest)")
    }

    @Test("stop and resume (at an epoch end and mid-epoch) gives the parameters of an uninterrupted run")
    func resume() throws {
        let corpus = try topicCorpus()
        let options = TrainingOptions(epochs: 2, batchSize: 8, learningRate: 5, seed: 21)
        func run(_ directory: URL, _ options: TrainingOptions, resume: Bool) throws -> (ToyModel, TrainingOutcome) {
            let model = Self.toy(corpus)
            let trainer = try Trainer(model: model, corpus: corpus, options: options, parallelism: .dataParallel(2),
                                  directory: directory)
            trainer.evaluatesDev = false
            return (model, try trainer.run(resume: resume))
        }
        let straightDirectory = try TemporaryDirectory().url, splitDirectory = try TemporaryDirectory().url
        let midDirectory = try TemporaryDirectory().url
        defer { for url in [straightDirectory, splitDirectory, midDirectory] { try? FileManager.default.removeItem(at: url) } }
        let (straight, straightOutcome) = try run(straightDirectory, options, resume: false)

        var firstEpoch = options
        firstEpoch.epochs = 1
        let (_, stopped) = try run(splitDirectory, firstEpoch, resume: false)
        #expect(stopped.state.completedEpochs == 1)
        let (resumed, resumedOutcome) = try run(splitDirectory, options, resume: true)
        #expect(resumedOutcome.stepsRun == straightOutcome.state.step - stopped.state.step)
        #expect(resumed.embeddings == straight.embeddings, "bit-identical after resuming at the epoch end")
        #expect(resumed.steps == straight.steps)

        var limited = options
        limited.maxSteps = 5
        let (_, partial) = try run(midDirectory, limited, resume: false)
        #expect(partial.state.step == 5 && partial.state.batchesInEpoch == 5)
        let (midResumed, _) = try run(midDirectory, options, resume: true)
        #expect(midResumed.embeddings == straight.embeddings, "bit-identical after resuming mid-epoch")
        let steps = try TrainingLog(url: midDirectory.appendingPathComponent("train-log.jsonl")).read()
            .compactMap { if case .step(let s) = $0 { s.step } else { nil } }
        #expect(steps == Array(1...straightOutcome.state.step), "the log has each step once")
    }

    @Test("a run refuses a directory with a checkpoint unless resuming, and a failed save keeps the last checkpoint")
    func checkpointSafety() throws {
        let corpus = try topicCorpus(impressionsPerSplit: 8)
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let options = TrainingOptions(epochs: 1, batchSize: 4, learningRate: 1, seed: 1)
        let trainer = try Trainer(model: Self.toy(corpus), corpus: corpus, options: options,
                              parallelism: .dataParallel(1), directory: directory)
        let outcome = try trainer.run(resume: false)
        #expect(throws: TrainingDataError.self) { try trainer.run(resume: false) }

        struct Interrupted: Error {}
        let checkpoints = CheckpointDirectory(url: directory)
        var state = outcome.state
        state.step += 1
        #expect(throws: Interrupted.self) {
            try checkpoints.write(state: state) { folder in
                try Data("half".utf8).write(to: folder.appendingPathComponent("toy.bin"))
                throw Interrupted()
            }
        }
        #expect(try checkpoints.latest() == outcome.checkpoint)
        #expect(try CheckpointDirectory.state(of: outcome.checkpoint) == outcome.state)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("mid-epoch checkpoints keep only the latest two, and the log has each step once")
    func intervalCheckpoints() throws {
        let corpus = try topicCorpus(impressionsPerSplit: 16)
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = try Trainer(model: Self.toy(corpus), corpus: corpus,
                              options: TrainingOptions(epochs: 1, batchSize: 4, learningRate: 1, seed: 1, maxSteps: 5),
                              parallelism: .dataParallel(1), directory: directory)
        trainer.checkpointInterval = 0
        let outcome = try trainer.run(resume: false)
        #expect(outcome.state.step == 5)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("checkpoint-") }
        #expect(Set(names) == ["checkpoint-e000-s00000004", "checkpoint-e000-s00000005"])
        let steps = try trainer.log.read().compactMap { if case .step(let s) = $0 { s.step } else { nil } }
        #expect(steps == [1, 2, 3, 4, 5])
    }
}
