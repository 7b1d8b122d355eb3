import Foundation
import MIND
import NewsModel
import Store
import Testing
@testable import Training
import TestSupport

/// `Fixtures/legacy-checkpoint` was written by newsrec before the model API was consolidated (commit c86c2c2):
/// `newsrec synth --users 40 --news 120 --impressions 90 --word-dim 8 --seed 5`, train + dev ingested,
/// `newsrec train --word-vectors glove.txt --hidden 8 --heads 2 --max-steps 3 --batch-size 8 --threads 1`, and
/// `newsrec evaluate --split dev --scores scores.tsv`. The run directory and the dev files are kept with the scores.
@Suite("Checkpoints written before the model consolidation")
struct LegacyCheckpointTests {
    @Test("an old run directory loads, its state decodes, and it scores the dev split as the old program did")
    func scoresAsBefore() throws {
        let folder = try TemporaryDirectory("legacy")
        defer { folder.remove() }
        let store = try NewsStore(path: folder.path("store.sqlite"))
        try store.ingest(split: .dev, newsFile: Fixtures.url("legacy-checkpoint/dev/news.tsv"),
                         behaviorsFile: Fixtures.url("legacy-checkpoint/dev/behaviors.tsv"))
        let run = Fixtures.url("legacy-checkpoint/run")
        let (model, checkpoint) = try NRMSTraining.loadModel(from: run, parallelism: .dataParallel(1))
        #expect(checkpoint.lastPathComponent == "checkpoint-e000-s00000003")
        #expect(model.optimizer.stepCount == 3)
        let state = try CheckpointDirectory.state(of: checkpoint)
        #expect(state.step == 3 && state.options.batchSize == 8)
        let written = folder.appending("scores.tsv")
        _ = try Evaluator(model: model, parallelism: .dataParallel(1)).evaluate(
            split: .dev, of: store, vocabulary: model.vocabulary, titleLength: model.configuration.titleLength,
            scores: written)
        let expected = try Self.scores(Fixtures.url("legacy-checkpoint/scores.tsv"))
        let actual = try Self.scores(written)
        #expect(actual.map(\.key) == expected.map(\.key), "same impressions and candidates in the same order")
        #expect(expected.count == 101)
        for (new, old) in zip(actual, expected) {
            #expect(abs(new.score - old.score) <= 1e-5 * abs(old.score) + 1e-11, "\(old.key): \(new.score) vs \(old.score)")
        }
    }

    /// `(impression<TAB>news, score)` of every line of a scores.tsv.
    static func scores(_ url: URL) throws -> [(key: String, score: Float)] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: "\t")
            return ("\(fields[0])\t\(fields[1])", Float(fields[2])!)
        }
    }
}
