import Foundation
import Metrics
import Testing
@testable import Training

@Suite("Training report charts")
struct TrainingReportTests {
    static func metrics(auc: Double, mrr: Double) -> MetricsSummary {
        MetricsSummary(auc: auc, mrr: mrr, ndcg5: mrr + 0.05, ndcg10: mrr + 0.11, impressions: 1000, skipped: 0,
                       withoutClick: 0)
    }

    /// 30 steps whose loss falls from 1.61 to 1.55, three epochs with dev AUC 0.59, 0.61, 0.60.
    static let flatLog: [TrainingLogEntry] = {
        var entries: [TrainingLogEntry] = []
        for step in 1...30 {
            let loss: Double = 1.61 - 0.06 * Double(step - 1) / 29
            entries.append(.step(.init(step: step, epoch: (step - 1) / 10 + 1, loss: loss, samplesPerSecond: 250,
                                       time: Double(step))))
        }
        let dev: [(auc: Double, mrr: Double, loss: Double)] = [(0.59, 0.200, 1.60), (0.61, 0.204, 1.57),
                                                               (0.60, 0.206, 1.56)]
        for (index, values) in dev.enumerated() {
            let epoch = index + 1
            entries.append(.epoch(.init(epoch: epoch, step: 10 * epoch, trainLoss: values.loss,
                                        dev: metrics(auc: values.auc, mrr: values.mrr), time: Double(10 * epoch))))
        }
        return entries
    }()

    /// The text of the first `<g class="y-axis" …>…</g>` after `marker` in `page`.
    func yAxis(after marker: String, in page: String) throws -> String {
        let start = try #require(page.range(of: marker))
        let axis = try #require(page.range(of: "<g class=\"y-axis\"", range: start.upperBound..<page.endIndex))
        let end = try #require(page.range(of: "</g>", range: axis.upperBound..<page.endIndex))
        return String(page[axis.lowerBound..<end.upperBound])
    }

    /// The tick labels of an axis group, in order.
    func tickLabels(_ axis: String) -> [String] {
        axis.components(separatedBy: "text-anchor=\"end\">").dropFirst().map { $0.components(separatedBy: "<")[0] }
    }

    @Test("a loss moving 1.61 -> 1.55 gets a y-axis of 1.54...1.62, not 0...1.7")
    func lossAxis() throws {
        let page = TrainingReport.html(entries: Self.flatLog)
        let axis = try yAxis(after: "aria-label=\"loss chart\"", in: page)
        #expect(axis.hasPrefix("<g class=\"y-axis\" data-min=\"1.54\" data-max=\"1.62\">"))
        #expect(tickLabels(axis) == ["1.54", "1.56", "1.58", "1.60", "1.62"])
    }

    @Test("each dev metric gets its own axis: AUC 0.59...0.61 -> 0.585...0.615")
    func metricAxes() throws {
        let page = TrainingReport.html(entries: Self.flatLog)
        let auc = try yAxis(after: "data-metric=\"AUC\"", in: page)
        #expect(tickLabels(auc) == ["0.585", "0.590", "0.595", "0.600", "0.605", "0.610", "0.615"])
        let mrr = try yAxis(after: "data-metric=\"MRR\"", in: page)
        #expect(mrr.hasPrefix("<g class=\"y-axis\" data-min=\"0.198\" data-max=\"0.208\">"))
        #expect(page.components(separatedBy: "<g class=\"panel\"").count == 5)
    }

    @Test("the best epoch (highest dev AUC) is marked in every chart, the table and the summary")
    func bestByAUC() {
        let page = TrainingReport.html(entries: Self.flatLog)
        #expect(page.components(separatedBy: "<g class=\"best-marker\" data-epoch=\"2\">").count == 6,
                "loss chart and the four metric panels")
        #expect(!page.contains("data-epoch=\"1\"") && !page.contains("data-epoch=\"3\""))
        #expect(page.contains("<p class=\"best-epoch\" data-best-epoch=\"2\">Best epoch: <strong>2</strong> "
            + "(highest dev AUC): AUC 0.6100, MRR 0.2040, nDCG@5 0.2540, nDCG@10 0.3140, train loss 1.5700, "
            + "step 20.</p>"))
        #expect(page.contains("<tr class=\"best\"><td>2</td>"))
        #expect(page.components(separatedBy: "<tr class=\"best\">").count == 2)
    }

    @Test("without dev metrics the best epoch has the lowest train loss; AUC ties go to the earlier epoch")
    func bestWithoutDev() {
        let epochs: [TrainingLogEntry.EpochRecord] = [
            .init(epoch: 1, step: 10, trainLoss: 1.60, dev: nil, time: 1),
            .init(epoch: 2, step: 20, trainLoss: 1.57, dev: nil, time: 2),
            .init(epoch: 3, step: 30, trainLoss: 1.58, dev: nil, time: 3),
        ]
        let best = TrainingReport.bestEpoch(epochs)
        #expect(best?.record.epoch == 2 && best?.criterion == "lowest train loss; no dev metrics")
        let page = TrainingReport.html(entries: epochs.map { .epoch($0) })
        #expect(page.contains("data-best-epoch=\"2\""))
        let tied = [1, 2, 3].map {
            TrainingLogEntry.EpochRecord(epoch: $0, step: $0, trainLoss: 1, dev: Self.metrics(auc: $0 == 1 ? 0.5 : 0.6,
                                                                                          mrr: 0.2), time: 1)
        }
        #expect(TrainingReport.bestEpoch(tied)?.record.epoch == 2)
        #expect(TrainingReport.bestEpoch([]) == nil)
    }

    @Test("nice axes: margins, 1/2/2.5/5 steps, constant data, integers, no -0")
    func niceAxes() {
        let wide = ChartAxis(covering: [0.1, 2.3])
        #expect(wide.ticks == [0, 0.5, 1, 1.5, 2, 2.5] && wide.decimals == 1)
        let quarter = ChartAxis(covering: [0.3, 1.4], tickCount: 6)
        #expect(quarter.ticks.map(quarter.label) == ["0.00", "0.25", "0.50", "0.75", "1.00", "1.25", "1.50"])
        let constant = ChartAxis(covering: [0.6, 0.6])
        #expect(constant.ticks.map(constant.label) == ["0.590", "0.595", "0.600", "0.605", "0.610"])
        let steps = ChartAxis(covering: [1, 3], margin: 0, integers: true)
        #expect(steps.ticks == [1, 2, 3] && steps.decimals == 0)
        let around = ChartAxis(covering: [-0.03, 0.02])
        #expect(around.ticks.map(around.label).contains("0.00") && !around.ticks.map(around.label).contains("-0.00"))
        #expect(ChartAxis.epochs(1...3).ticks == [1, 2, 3])
        #expect(ChartAxis.epochs(1...40).ticks == [10, 20, 30, 40])
    }
}
