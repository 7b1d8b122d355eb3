import Foundation
import MIND
import Metrics
import Testing
@testable import Training
import TestSupport

@Suite("Evaluation")
struct EvaluationTests {
    /// News `H` (the only history click) has vector 1, so each candidate's score is its own one-word title's
    /// embedding, set by hand.
    static func fixture() throws -> (TrainingCorpus, ToyModel) {
        let values: [(String, Float)] = [("h", 1), ("a", 0.9), ("b", 0.5), ("c", 0.1), ("d", 0.8), ("e", 0.6),
                                         ("f", 0.4), ("g", 0.2)]
        let news = values.map { (id: NewsID("N\($0.0)"), title: $0.0) }
        func impression(_ id: Int, _ candidates: [(String, Bool?)]) -> Impression {
            Impression(id: id, user: UserID("U\(id)"), time: 0, history: [NewsID("Nh")],
                       candidates: candidates.map { Candidate(news: NewsID("N\($0.0)"), clicked: $0.1) })
        }
        let dev = [impression(11, [("a", true), ("b", false), ("c", false)]),
                   impression(12, [("d", false), ("e", true), ("f", false), ("g", true)]),
                   impression(13, [("b", false), ("c", false)])]
        let test = [impression(21, [("g", nil), ("a", nil), ("e", nil)])]
        let corpus = try TrainingCorpus(news: news, impressions: [.dev: dev, .test: test], historyLength: 4)
        let model = ToyModel(vocabularySize: corpus.vocabulary.count, dimension: 1, historyLength: 4, seed: 0)
        for (word, value) in values { model.embeddings[Int(corpus.vocabulary.id(of: word))] = value }
        return (corpus, model)
    }

    @Test("metrics of a scored fixture equal the hand-computed values")
    func handComputedMetrics() throws {
        let (corpus, model) = try Self.fixture()
        let dev = try #require(corpus.splits[.dev])
        let evaluator = Evaluator(model: model, parallelism: .dataParallel(2))
        let scores = evaluator.score(dev, newsVectors: evaluator.encodeNews(corpus.news))
        #expect(scores.scores.map { ($0 * 1000).rounded() / 1000 } == [0.9, 0.5, 0.1, 0.8, 0.6, 0.4, 0.2, 0.5, 0.1])
        let metrics = try #require(try evaluator.evaluate(dev, news: corpus.news).metrics)
        // Impression 11: the click ranks first → AUC, MRR, nDCG = 1.
        // Impression 12: clicks ranked 2nd and 4th; AUC = 1/4 (0.6 > 0.4 only), MRR = (1/2 + 1/4) / 2,
        //   nDCG = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3).
        // Impression 13: no click → skipped.
        let ndcg = (1 / log2(3.0) + 1 / log2(5.0)) / (1 + 1 / log2(3.0))
        #expect(abs(metrics.auc - 0.625) < 1e-12)
        #expect(abs(metrics.mrr - 0.6875) < 1e-12)
        #expect(abs(metrics.ndcg5 - (1 + ndcg) / 2) < 1e-12)
        #expect(abs(metrics.ndcg10 - (1 + ndcg) / 2) < 1e-12)
        #expect(metrics.impressions == 3 && metrics.skipped == 1 && metrics.withoutClick == 1)
    }

    @Test("prediction.txt parses back with the Metrics reader and scores like the in-memory metrics")
    func predictionRoundTrip() throws {
        let (corpus, model) = try Self.fixture()
        let directory = try TemporaryDirectory("eval").url
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let evaluator = Evaluator(model: model, parallelism: .dataParallel(1))
        let dev = try #require(corpus.splits[.dev])
        let predictions = directory.appendingPathComponent("prediction.txt")
        let direct = try #require(try evaluator.evaluate(dev, news: corpus.news, predictions: predictions).metrics)
        let text = try String(contentsOf: predictions, encoding: .utf8)
        #expect(text == "11 [1,2,3]\n12 [1,2,3,4]\n13 [1,2]\n")
        let lines = try PredictionFile.read(from: predictions)
        #expect(lines.map(\.impressionID) == [11, 12, 13])
        let truth = directory.appendingPathComponent("truth.txt")
        try TruthFile.write((0..<dev.count).map {
            LeaderboardLine(impressionID: dev.impressionIDs[$0], values: dev.labels(of: $0).map(Int.init))
        }, to: truth)
        let scored = try LeaderboardScorer.score(prediction: predictions, truth: truth)
        #expect(abs(scored.auc - direct.auc) < 1e-12 && abs(scored.mrr - direct.mrr) < 1e-12)
        #expect(abs(scored.ndcg5 - direct.ndcg5) < 1e-12 && abs(scored.ndcg10 - direct.ndcg10) < 1e-12)

        let test = try #require(corpus.splits[.test])
        #expect(!test.isLabelled)
        let testPredictions = directory.appendingPathComponent("test.txt")
        let scoresFile = directory.appendingPathComponent("scores.tsv")
        let unlabelled = try evaluator.evaluate(test, news: corpus.news, predictions: testPredictions,
                                                scores: scoresFile)
        #expect(unlabelled.metrics == nil && unlabelled.impressions == 1 && unlabelled.candidates == 3)
        #expect(try PredictionFile.read(from: testPredictions) == [LeaderboardLine(impressionID: 21, values: [3, 1, 2])])
        #expect(try String(contentsOf: scoresFile, encoding: .utf8) == "21\tNg\t0.2\n21\tNa\t0.9\n21\tNe\t0.6\n")
    }
}
