import Foundation
import Testing
@testable import Metrics
import TestSupport

/// `Fixtures/metrics/golden.json`, written by `Fixtures/metrics/make_metrics_golden.py` (sklearn + numpy).
struct MetricsGolden: Decodable {
    struct Impression: Decodable {
        var labels: [Int]
        var scores: [Double]
        var ranks: [Int]
        var auc: Double?
        var mrr: Double?
        var ndcg5: Double?
        var ndcg10: Double?
    }
    struct Means: Decodable {
        var auc: Double
        var mrr: Double
        var ndcg5: Double
        var ndcg10: Double
        var impressions: Int
        var skipped: Int?
        var withoutClick: Int?
    }
    var impressions: [Impression]
    var summary: Means
    var leaderboard: Means

    static func load() throws -> MetricsGolden {
        let data = try Data(contentsOf: Fixtures.url("metrics/golden.json"))
        return try JSONDecoder().decode(MetricsGolden.self, from: data)
    }
}

@Suite("Metrics against an independent Python reference")
struct GoldenMetricsTests {
    func close(_ actual: Double?, _ expected: Double?) -> Bool {
        switch (actual, expected) {
        case (nil, nil): return true
        case let (a?, e?): return abs(a - e) <= 1e-9
        default: return false
        }
    }

    @Test("50 random impressions: per-impression values, ranks and means to 1e-9")
    func golden() throws {
        let golden = try MetricsGolden.load()
        #expect(golden.impressions.count == 50)
        var accumulator = MetricsAccumulator()
        for (index, impression) in golden.impressions.enumerated() {
            let metrics = try ImpressionMetrics(labels: impression.labels, scores: impression.scores)
            #expect(close(metrics.auc, impression.auc), "impression \(index) AUC")
            #expect(close(metrics.mrr, impression.mrr), "impression \(index) MRR")
            #expect(close(metrics.ndcg5, impression.ndcg5), "impression \(index) nDCG@5")
            #expect(close(metrics.ndcg10, impression.ndcg10), "impression \(index) nDCG@10")
            #expect(ScoreOrder.ranks(scores: impression.scores) == impression.ranks, "impression \(index) ranks")
            accumulator.add(metrics)
        }
        let summary = accumulator.summary
        #expect(abs(summary.auc - golden.summary.auc) <= 1e-9)
        #expect(abs(summary.mrr - golden.summary.mrr) <= 1e-9)
        #expect(abs(summary.ndcg5 - golden.summary.ndcg5) <= 1e-9)
        #expect(abs(summary.ndcg10 - golden.summary.ndcg10) <= 1e-9)
        #expect(summary.impressions == golden.summary.impressions)
        #expect(summary.skipped == golden.summary.skipped)
        #expect(summary.withoutClick == golden.summary.withoutClick)
    }

    @Test("prediction.txt from our ranks scored like evaluate.py matches the reference")
    func leaderboard() throws {
        let golden = try MetricsGolden.load()
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let truth = try TruthFile.writer(url: directory.appendingPathComponent("truth.txt"))
        let prediction = try PredictionFile.writer(url: directory.appendingPathComponent("prediction.txt"))
        var id = 0
        for impression in golden.impressions {
            id += 1
            let clicks = impression.labels.reduce(0, +)
            // evaluate.py cannot score single-class impressions; mask them as `[]` in the truth file.
            let twoClass = clicks > 0 && clicks < impression.labels.count
            try truth.write(impressionID: id, values: twoClass ? impression.labels : [])
            try prediction.write(impressionID: id, values: ScoreOrder.ranks(scores: impression.scores))
        }
        try truth.close()
        try prediction.close()
        let summary = try LeaderboardScorer.score(prediction: directory.appendingPathComponent("prediction.txt"),
                                                  truth: directory.appendingPathComponent("truth.txt"))
        #expect(summary.impressions == golden.leaderboard.impressions)
        #expect(summary.skipped == 0)
        #expect(abs(summary.auc - golden.leaderboard.auc) <= 1e-9)
        #expect(abs(summary.mrr - golden.leaderboard.mrr) <= 1e-9)
        #expect(abs(summary.ndcg5 - golden.leaderboard.ndcg5) <= 1e-9)
        #expect(abs(summary.ndcg10 - golden.leaderboard.ndcg10) <= 1e-9)
    }
}
