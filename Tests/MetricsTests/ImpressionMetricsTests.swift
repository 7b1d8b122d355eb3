import Foundation
import Testing
@testable import Metrics

@Suite("Per-impression metrics, hand-computed")
struct ImpressionMetricsTests {
    @Test("a perfect ranking scores 1 everywhere")
    func perfect() throws {
        let metrics = try ImpressionMetrics(labels: [true, false, false], scores: [0.9, 0.5, 0.1])
        #expect(metrics.auc == 1)
        #expect(metrics.mrr == 1)
        #expect(metrics.ndcg5 == 1)
        #expect(metrics.ndcg10 == 1)
    }

    @Test("two clicks at ranks 2 and 4")
    func twoClicks() throws {
        // labels [0,1,0,1], scores [0.8,0.6,0.4,0.2] → ranks 1,2,3,4; clicks at ranks 2 and 4.
        // AUC: click 0.6 beats 0.4 only; click 0.2 beats nothing → 1 of 4 pairs = 0.25.
        // MRR = (1/2 + 1/4) / 2 = 0.375.
        // DCG = 1/log2(3) + 1/log2(5) = 1.0616063116448506; ideal = 1 + 1/log2(3) = 1.6309297535714575
        // nDCG@5 = nDCG@10 = 0.6509209298071326.
        let metrics = try ImpressionMetrics(labels: [false, true, false, true], scores: [0.8, 0.6, 0.4, 0.2])
        #expect(metrics.auc == 0.25)
        #expect(metrics.mrr == 0.375)
        #expect(abs(metrics.ndcg5! - 0.6509209298071326) < 1e-15)
        #expect(abs(metrics.ndcg10! - 0.6509209298071326) < 1e-15)
    }

    @Test("ties: half credit in AUC, candidate order in MRR and nDCG")
    func ties() throws {
        // labels [1,0,1,0], scores [0.5,0.5,0.5,0.1].
        // AUC pairs: (c0,c1) tie ½, (c0,c3) 1, (c2,c1) tie ½, (c2,c3) 1 → 3/4.
        // Ties by candidate order → order c0,c1,c2,c3; clicks at ranks 1 and 3 → MRR = (1 + 1/3)/2 = 2/3.
        // nDCG = (1 + 1/log2(4)) / (1 + 1/log2(3)) = 1.5 / 1.6309297535714575 = 0.9197207891481876.
        let metrics = try ImpressionMetrics(labels: [true, false, true, false], scores: [0.5, 0.5, 0.5, 0.1])
        #expect(metrics.auc == 0.75)
        #expect(abs(metrics.mrr! - 2.0 / 3.0) < 1e-15)
        #expect(abs(metrics.ndcg5! - 0.9197207891481876) < 1e-15)
        #expect(ScoreOrder.ranks(scores: [0.5, 0.5, 0.5, 0.1]) == [1, 2, 3, 4])
        #expect(ScoreOrder.ranks(scores: [0.1, 0.7, 0.7, 0.9]) == [4, 2, 3, 1])
        // All tied: AUC ½ whatever the labels.
        #expect(try ImpressionMetrics(labels: [false, true, false], scores: [1.0, 1.0, 1.0]).auc == 0.5)
    }

    @Test("the cut-off of nDCG@5 and nDCG@10")
    func cutOff() throws {
        // One click, scored lowest of 7: rank 7. nDCG@5 = 0; nDCG@10 = (1/log2(8)) / 1 = 1/3; MRR = 1/7; AUC = 0.
        let labels = [false, false, false, false, false, false, true]
        let metrics = try ImpressionMetrics(labels: labels, scores: [7.0, 6, 5, 4, 3, 2, 1])
        #expect(metrics.auc == 0)
        #expect(abs(metrics.mrr! - 1.0 / 7.0) < 1e-15)
        #expect(metrics.ndcg5 == 0)
        #expect(abs(metrics.ndcg10! - 1.0 / 3.0) < 1e-15)
    }

    @Test("single-class impressions: no AUC; no MRR/nDCG without a click")
    func singleClass() throws {
        // All clicks [1,1], scores [0.1,0.9]: ranks 2,1 → MRR = (1/2 + 1)/2 = 0.75, nDCG = 1.
        let allClicks = try ImpressionMetrics(labels: [true, true], scores: [0.1, 0.9])
        #expect(allClicks.auc == nil)
        #expect(allClicks.mrr == 0.75)
        #expect(allClicks.ndcg5 == 1)
        let noClick = try ImpressionMetrics(labels: [false, false, false], scores: [0.3, 0.2, 0.1])
        #expect(noClick == (try ImpressionMetrics(labels: [Bool](), scores: [Double]())))
        #expect(noClick.auc == nil && noClick.mrr == nil && noClick.ndcg5 == nil && noClick.ndcg10 == nil)
    }

    @Test("Float scores and Int labels give the same values as Double and Bool")
    func scalarTypes() throws {
        let float = try ImpressionMetrics(labels: [0, 1, 0, 1], scores: [Float(0.8), 0.6, 0.4, 0.2])
        let double = try ImpressionMetrics(labels: [false, true, false, true], scores: [0.8, 0.6, 0.4, 0.2])
        #expect(float == double)
    }

    @Test("mismatched lengths and NaN scores throw")
    func badInput() {
        #expect(throws: MetricsError.lengthMismatch(labels: 2, scores: 3)) {
            try ImpressionMetrics(labels: [true, false], scores: [0.1, 0.2, 0.3])
        }
        #expect(throws: MetricsError.notANumber(candidate: 1)) {
            try ImpressionMetrics(labels: [true, false], scores: [0.1, .nan])
        }
    }

    @Test("the accumulator averages each metric over the impressions where it is defined")
    func accumulator() throws {
        var accumulator = MetricsAccumulator()
        try accumulator.add(labels: [false, true, false, true], scores: [0.8, 0.6, 0.4, 0.2])  // AUC .25, MRR .375
        try accumulator.add(labels: [true, false, true, false], scores: [0.5, 0.5, 0.5, 0.1])  // AUC .75, MRR 2/3
        try accumulator.add(labels: [true, true], scores: [0.1, 0.9])                          // no AUC, MRR .75
        try accumulator.add(labels: [false, false], scores: [0.1, 0.9])                        // nothing
        let summary = accumulator.summary
        #expect(summary.impressions == 4)
        #expect(summary.skipped == 2)
        #expect(summary.withoutClick == 1)
        #expect(summary.auc == 0.5)                                                  // (0.25 + 0.75) / 2
        #expect(abs(summary.mrr - (0.375 + 2.0 / 3.0 + 0.75) / 3) < 1e-15)
        #expect(abs(summary.ndcg5 - (0.6509209298071326 + 0.9197207891481876 + 1) / 3) < 1e-15)

        var left = MetricsAccumulator()
        var right = MetricsAccumulator()
        try left.add(labels: [false, true, false, true], scores: [0.8, 0.6, 0.4, 0.2])
        try left.add(labels: [true, false, true, false], scores: [0.5, 0.5, 0.5, 0.1])
        try right.add(labels: [true, true], scores: [0.1, 0.9])
        try right.add(labels: [false, false], scores: [0.1, 0.9])
        left.merge(right)
        #expect(left.summary == summary)
        #expect(summary.formatted == "AUC 0.5000  MRR 0.5972  nDCG@5 0.8569  nDCG@10 0.8569  (4 impressions, 2 skipped)")
        #expect(MetricsAccumulator().summary.auc.isNaN)
    }
}
