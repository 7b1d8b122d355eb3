import Foundation
import Metrics

/// A self-contained HTML page (inline SVG, no scripts, no external files) summarising a training log:
/// the loss curve (per step, with a moving average and epoch boundaries), a table and small charts of per-epoch dev
/// metrics, and the best epoch marked everywhere.
///
/// Every y-axis is scaled to its data with a small margin and "nice" ticks (1, 2, 2.5 or 5 × 10^k apart), so a
/// loss moving from 1.61 to 1.55 or an AUC between 0.59 and 0.61 fills its chart instead of drawing a flat line.
/// The best epoch is the one with the highest dev AUC when any epoch has dev metrics, else the lowest train loss.
public enum TrainingReport {
    /// The report page for `entries`.
    public static func html(entries: [TrainingLogEntry], title: String = "newsrec training report") -> String {
        let steps = entries.compactMap { if case .step(let record) = $0 { record } else { nil } }
        let epochs = entries.compactMap { if case .epoch(let record) = $0 { record } else { nil } }
        let best = bestEpoch(epochs)
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            td, th { border: 1px solid #bbb; padding: 0.3em 0.8em; text-align: right; }
            tr.best td { background: #e5f5e0; font-weight: bold; }
            svg text { font-family: sans-serif; font-size: 11px; }
            </style></head><body>
            <h1>\(escape(title))</h1>

            """
        if let last = steps.last {
            let recent = steps.suffix(50).map(\.samplesPerSecond).sorted()
            let rate = recent[recent.count / 2]
            page += "<p>\(last.step) steps, \(epochs.count) epoch(s) completed, \(format(last.time, 1)) s; "
            page += "recent throughput \(format(rate, 1)) samples/s; last loss \(format(last.loss, 4)).</p>\n"
        }
        if let best { page += bestSummary(best) }
        page += "<h2>Training loss</h2>\n"
        page += lossChart(steps: steps, epochs: epochs, best: best?.record)
        page += "<h2>Per-epoch metrics</h2>\n"
        page += epochTable(epochs, best: best?.record.epoch)
        if epochs.contains(where: { $0.dev != nil }) { page += metricsChart(epochs, best: best?.record.epoch) }
        page += "</body></html>\n"
        return page
    }

    /// The epoch to mark: highest dev AUC when any epoch has dev metrics (the earliest on a tie), else the lowest
    /// train loss; with the criterion in words.
    static func bestEpoch(_ epochs: [TrainingLogEntry.EpochRecord])
        -> (record: TrainingLogEntry.EpochRecord, criterion: String)? {
        let withDev = epochs.filter { $0.dev != nil }
        let byAUC = { (a: TrainingLogEntry.EpochRecord, b: TrainingLogEntry.EpochRecord) in
            a.dev!.auc < b.dev!.auc || (a.dev!.auc == b.dev!.auc && a.epoch > b.epoch)
        }
        if let best = withDev.max(by: byAUC) { return (best, "highest dev AUC") }
        let finite = epochs.filter { $0.trainLoss.isFinite }
        guard let best = finite.min(by: { $0.trainLoss < $1.trainLoss }) else { return nil }
        return (best, "lowest train loss; no dev metrics")
    }

    private static func bestSummary(_ best: (record: TrainingLogEntry.EpochRecord, criterion: String)) -> String {
        var text = "<p class=\"best-epoch\" data-best-epoch=\"\(best.record.epoch)\">Best epoch: "
        text += "<strong>\(best.record.epoch)</strong> (\(best.criterion)): "
        if let dev = best.record.dev {
            text += "AUC \(format(dev.auc, 4)), MRR \(format(dev.mrr, 4)), nDCG@5 \(format(dev.ndcg5, 4)), "
            text += "nDCG@10 \(format(dev.ndcg10, 4)), "
        }
        return text + "train loss \(format(best.record.trainLoss, 4)), step \(best.record.step).</p>\n"
    }

    // MARK: - Charts

    private static func lossChart(steps: [TrainingLogEntry.StepRecord], epochs: [TrainingLogEntry.EpochRecord],
                                  best: TrainingLogEntry.EpochRecord?) -> String {
        let finite = steps.filter { $0.loss.isFinite }
        guard let first = finite.first, let last = finite.last else { return "<p>No steps logged.</p>\n" }
        let xAxis = ChartAxis(covering: [Double(first.step), Double(max(last.step, first.step + 1))], margin: 0,
                              integers: true)
        let plot = PlotArea(left: 60, top: 24, width: 640, height: 236, x: xAxis,
                            y: ChartAxis(covering: finite.map(\.loss)))
        var svg = svgOpen(width: 720, height: 300, role: "loss chart")
        svg += plot.frame(xLabel: "step", yLabel: "loss")
        for epoch in epochs where Double(epoch.step) > plot.x.lower && Double(epoch.step) < plot.x.upper {
            svg += plot.verticalLine(at: Double(epoch.step), color: "#ccc")
        }
        let raw = finite.map { (Double($0.step), $0.loss) }
        svg += plot.polyline(raw, color: "#9ecae1", width: 1)
        let window = max(1, finite.count / 50)
        var smoothed: [(Double, Double)] = []
        var sum = 0.0
        for (index, point) in raw.enumerated() {
            sum += point.1
            if index >= window { sum -= raw[index - window].1 }
            smoothed.append((point.0, sum / Double(min(index + 1, window))))
        }
        svg += plot.polyline(smoothed, color: "#08519c", width: 2)
        svg += "<text x=\"\(f(plot.right))\" y=\"\(f(plot.top - 6))\" text-anchor=\"end\" fill=\"#08519c\">"
        svg += "dark line: moving average over \(window) step\(window == 1 ? "" : "s")</text>\n"
        if let best, Double(best.step) >= plot.x.lower && Double(best.step) <= plot.x.upper {
            svg += plot.bestMarker(at: Double(best.step), epoch: best.epoch)
        }
        return svg + "</svg>\n"
    }

    /// Four small charts (AUC, MRR, nDCG@5, nDCG@10 on dev), each y-axis scaled to its own series.
    private static func metricsChart(_ epochs: [TrainingLogEntry.EpochRecord], best: Int?) -> String {
        let points = epochs.compactMap { epoch in epoch.dev.map { (Double(epoch.epoch), $0) } }
        guard let firstEpoch = points.first?.0, let lastEpoch = points.last?.0 else { return "" }
        let epochAxis = ChartAxis.epochs(Int(firstEpoch)...Int(lastEpoch))
        let series: [(String, String, KeyPath<MetricsSummary, Double>)] = [
            ("AUC", "#d62728", \.auc), ("MRR", "#2ca02c", \.mrr),
            ("nDCG@5", "#1f77b4", \.ndcg5), ("nDCG@10", "#9467bd", \.ndcg10),
        ]
        var svg = svgOpen(width: 720, height: 480, role: "dev metrics chart")
        for (index, (name, color, path)) in series.enumerated() {
            let line = points.map { ($0.0, $0.1[keyPath: path]) }
            let plot = PlotArea(left: 60 + Double(index % 2) * 360, top: 30 + Double(index / 2) * 235, width: 280,
                                height: 170, x: epochAxis, y: ChartAxis(covering: line.map(\.1)))
            svg += "<g class=\"panel\" data-metric=\"\(escape(name))\">\n"
            svg += "<text x=\"\(f(plot.left))\" y=\"\(f(plot.top - 8))\" fill=\"\(color)\" "
            svg += "font-weight=\"bold\">dev \(escape(name))</text>\n"
            svg += plot.frame(xLabel: "epoch", yLabel: name)
            if let best, let value = line.first(where: { Int($0.0) == best })?.1 {
                svg += plot.bestMarker(at: Double(best), epoch: best)
                svg += "<circle cx=\"\(f(plot.px(Double(best))))\" cy=\"\(f(plot.py(value)))\" r=\"6\" "
                svg += "fill=\"none\" stroke=\"#238b45\" stroke-width=\"2\"/>\n"
            }
            svg += plot.polyline(line, color: color, width: 2)
            for point in line {
                svg += "<circle cx=\"\(f(plot.px(point.0)))\" cy=\"\(f(plot.py(point.1)))\" r=\"3\" "
                svg += "fill=\"\(color)\"/>\n"
            }
            svg += "</g>\n"
        }
        return svg + "</svg>\n"
    }

    private static func epochTable(_ epochs: [TrainingLogEntry.EpochRecord], best: Int?) -> String {
        guard !epochs.isEmpty else { return "<p>No epoch completed yet.</p>\n" }
        var table = "<table><tr><th>epoch</th><th>step</th><th>train loss</th><th>AUC</th><th>MRR</th>"
        table += "<th>nDCG@5</th><th>nDCG@10</th><th>impressions</th><th>time (s)</th></tr>\n"
        for epoch in epochs {
            table += epoch.epoch == best ? "<tr class=\"best\">" : "<tr>"
            table += "<td>\(epoch.epoch)</td><td>\(epoch.step)</td><td>\(format(epoch.trainLoss, 4))</td>"
            if let dev = epoch.dev {
                table += "<td>\(format(dev.auc, 4))</td><td>\(format(dev.mrr, 4))</td>"
                table += "<td>\(format(dev.ndcg5, 4))</td><td>\(format(dev.ndcg10, 4))</td><td>\(dev.impressions)</td>"
            } else {
                table += "<td colspan=\"5\">no dev split</td>"
            }
            table += "<td>\(format(epoch.time, 1))</td></tr>\n"
        }
        return table + "</table>\n"
    }

    private static func svgOpen(width: Int, height: Int, role: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(role)\">\n"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// An axis scaled to its data: the data range widened by a margin, then out to the nearest ticks, which are
/// 1, 2, 2.5 or 5 × 10^k apart.
struct ChartAxis: Equatable {
    var lower: Double
    var upper: Double
    var ticks: [Double]
    /// Decimals of the tick labels (enough to tell the ticks apart).
    var decimals: Int

    /// An axis for `values` with about `tickCount` ticks; `margin` is a fraction of the data range added on both
    /// sides (but not below zero for non-negative data); `integers` keeps ticks whole. A single value (or all equal)
    /// gets a range of ±1% around it.
    init(covering values: [Double], tickCount: Int = 6, margin: Double = 0.05, integers: Bool = false) {
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if high - low <= 1e-12 * max(1, abs(high)) {
            let pad = integers ? 1 : max(abs(high) * 0.01, 1e-6)
            (low, high) = (low - pad, high + pad)
        }
        let span = high - low
        // The margin never takes non-negative data (losses, metrics) below zero.
        (low, high) = (low >= 0 ? max(0, low - span * margin) : low - span * margin, high + span * margin)
        let raw = (high - low) / Double(max(1, tickCount - 1))
        let magnitude = pow(10, log10(raw).rounded(.down))
        let multiple = [1, 2, 2.5, 5, 10].first { $0 * magnitude >= raw * (1 - 1e-9) } ?? 10
        let step = integers ? max(1, (multiple * magnitude).rounded()) : multiple * magnitude
        let first = (low / step + 1e-9).rounded(.down)
        let last = (high / step - 1e-9).rounded(.up)
        lower = first * step
        upper = last * step
        ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        let stepDecimals = Int(max(0, -log10(step).rounded(.down)))
        decimals = integers ? 0 : stepDecimals + (multiple == 2.5 ? 1 : 0)
    }

    init(lower: Double, upper: Double, ticks: [Double], decimals: Int) {
        self.lower = lower
        self.upper = upper
        self.ticks = ticks
        self.decimals = decimals
    }

    /// Epochs `range` with half an epoch of room on both sides; every epoch a tick up to 12 epochs.
    static func epochs(_ range: ClosedRange<Int>) -> ChartAxis {
        let lower = Double(range.lowerBound) - 0.5, upper = Double(range.upperBound) + 0.5
        guard range.count > 12 else {
            return ChartAxis(lower: lower, upper: upper, ticks: range.map(Double.init), decimals: 0)
        }
        let nice = ChartAxis(covering: [Double(range.lowerBound), Double(range.upperBound)], margin: 0, integers: true)
        return ChartAxis(lower: lower, upper: upper, ticks: nice.ticks.filter { $0 >= lower && $0 <= upper },
                         decimals: 0)
    }

    /// The tick label of `value` (never `-0`).
    func label(_ value: Double) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}

/// The rectangle of an SVG where one chart is drawn, with its two axes.
struct PlotArea {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var x: ChartAxis
    var y: ChartAxis

    var right: Double { left + width }
    var bottom: Double { top + height }

    func px(_ value: Double) -> Double { left + (value - x.lower) / (x.upper - x.lower) * width }
    func py(_ value: Double) -> Double { bottom - (value - y.lower) / (y.upper - y.lower) * height }

    /// The frame, grid lines, tick marks and labels of both axes, and the axis titles. The y-axis group carries
    /// its range as `data-min` / `data-max`.
    func frame(xLabel: String, yLabel: String) -> String {
        let f = TrainingReport.f
        var svg = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width))\" height=\"\(f(height))\" "
        svg += "fill=\"none\" stroke=\"#444\"/>\n"
        svg += "<g class=\"y-axis\" data-min=\"\(y.label(y.lower))\" data-max=\"\(y.label(y.upper))\">\n"
        for tick in y.ticks {
            let position = py(tick)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(position))\" x2=\"\(f(right))\" y2=\"\(f(position))\" "
            svg += "stroke=\"#eee\"/><line x1=\"\(f(left - 4))\" y1=\"\(f(position))\" x2=\"\(f(left))\" "
            svg += "y2=\"\(f(position))\" stroke=\"#444\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(position + 4))\" text-anchor=\"end\">\(y.label(tick))</text>\n"
        }
        svg += "</g>\n<g class=\"x-axis\">\n"
        for tick in x.ticks where tick >= x.lower && tick <= x.upper {
            let position = px(tick)
            svg += "<line x1=\"\(f(position))\" y1=\"\(f(bottom))\" x2=\"\(f(position))\" y2=\"\(f(bottom + 4))\" "
            svg += "stroke=\"#444\"/><text x=\"\(f(position))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">"
            svg += "\(x.label(tick))</text>\n"
        }
        svg += "</g>\n"
        svg += "<text x=\"\(f(left + width / 2))\" y=\"\(f(bottom + 32))\" text-anchor=\"middle\">"
        svg += "\(TrainingReport.escape(xLabel))</text>\n"
        let middle = top + height / 2, titleX = left - 46
        svg += "<text x=\"\(f(titleX))\" y=\"\(f(middle))\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 \(f(titleX)) \(f(middle)))\">\(TrainingReport.escape(yLabel))</text>\n"
        return svg
    }

    func polyline(_ points: [(Double, Double)], color: String, width: Double) -> String {
        let coordinates = points.map { "\(TrainingReport.f(px($0.0))),\(TrainingReport.f(py($0.1)))" }
            .joined(separator: " ")
        return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(TrainingReport.f(width))\" "
            + "points=\"\(coordinates)\"/>\n"
    }

    func verticalLine(at value: Double, color: String) -> String {
        let position = TrainingReport.f(px(value))
        return "<line x1=\"\(position)\" y1=\"\(TrainingReport.f(top))\" x2=\"\(position)\" "
            + "y2=\"\(TrainingReport.f(bottom))\" stroke=\"\(color)\" stroke-dasharray=\"4 3\"/>\n"
    }

    /// A green vertical line at `value` labelled with the best epoch.
    func bestMarker(at value: Double, epoch: Int) -> String {
        let position = px(value)
        let anchor = position > right - 90 ? "end" : "start"   // the label is about 80 px wide
        let textX = anchor == "end" ? position - 4 : position + 4
        var svg = "<g class=\"best-marker\" data-epoch=\"\(epoch)\">"
        svg += "<line x1=\"\(TrainingReport.f(position))\" y1=\"\(TrainingReport.f(top))\" "
        svg += "x2=\"\(TrainingReport.f(position))\" y2=\"\(TrainingReport.f(bottom))\" stroke=\"#238b45\" "
        svg += "stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>"
        svg += "<text x=\"\(TrainingReport.f(textX))\" y=\"\(TrainingReport.f(bottom - 6))\" text-anchor=\"\(anchor)\" "
        svg += "fill=\"#238b45\">best: epoch \(epoch)</text></g>\n"
        return svg
    }
}
