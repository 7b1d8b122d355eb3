import Foundation
import Metrics

/// A self-contained HTML page (inline SVG, no scripts, no external files) summarising a training log:
/// the loss curve (per step, with a moving average and epoch boundaries) and a table and chart of per-epoch metrics.
public enum TrainingReport {
    /// The report page for `entries`.
    public static func html(entries: [TrainingLogEntry], title: String = "newsrec training report") -> String {
        let steps = entries.compactMap { if case .step(let record) = $0 { record } else { nil } }
        let epochs = entries.compactMap { if case .epoch(let record) = $0 { record } else { nil } }
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            td, th { border: 1px solid #bbb; padding: 0.3em 0.8em; text-align: right; }
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
        page += "<h2>Training loss</h2>\n"
        page += lossChart(steps: steps, epochs: epochs)
        page += "<h2>Per-epoch metrics</h2>\n"
        page += epochTable(epochs)
        if epochs.contains(where: { $0.dev != nil }) { page += metricsChart(epochs) }
        page += "</body></html>\n"
        return page
    }

    // MARK: - Charts

    private static let width = 720.0, height = 300.0, left = 60.0, right = 20.0, top = 20.0, bottom = 40.0

    private static func lossChart(steps: [TrainingLogEntry.StepRecord],
                                  epochs: [TrainingLogEntry.EpochRecord]) -> String {
        let finite = steps.filter { $0.loss.isFinite }
        guard let first = finite.first, let last = finite.last else { return "<p>No steps logged.</p>\n" }
        let xs = (Double(first.step), Double(max(last.step, first.step + 1)))
        let losses = finite.map(\.loss)
        let ys = (min(0, losses.min()!), losses.max()! * 1.05 + 1e-9)
        var svg = frame(xRange: xs, yRange: ys, xLabel: "step", yLabel: "loss")
        for epoch in epochs where Double(epoch.step) > xs.0 && Double(epoch.step) < xs.1 {
            let x = scaleX(Double(epoch.step), xs)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(height - bottom))\" "
            svg += "stroke=\"#ccc\" stroke-dasharray=\"4 3\"/>\n"
        }
        let raw = finite.map { (Double($0.step), $0.loss) }
        svg += polyline(raw, xs, ys, color: "#9ecae1", width: 1)
        let window = max(1, finite.count / 50)
        var smoothed: [(Double, Double)] = []
        var sum = 0.0
        for (index, point) in raw.enumerated() {
            sum += point.1
            if index >= window { sum -= raw[index - window].1 }
            smoothed.append((point.0, sum / Double(min(index + 1, window))))
        }
        svg += polyline(smoothed, xs, ys, color: "#08519c", width: 2)
        svg += "<text x=\"\(f(width - right - 170))\" y=\"\(f(top + 12))\" fill=\"#08519c\">"
        svg += "moving average (\(window) steps)</text>\n"
        return svg + "</svg>\n"
    }

    private static func metricsChart(_ epochs: [TrainingLogEntry.EpochRecord]) -> String {
        let points = epochs.compactMap { epoch in epoch.dev.map { (Double(epoch.epoch), $0) } }
        guard let firstEpoch = points.first?.0, let lastEpoch = points.last?.0 else { return "" }
        let xs = (firstEpoch - 0.5, lastEpoch + 0.5)
        let ys = (0.0, 1.0)
        var svg = frame(xRange: xs, yRange: ys, xLabel: "epoch", yLabel: "dev metric")
        let series: [(String, String, KeyPath<MetricsSummary, Double>)] = [
            ("AUC", "#d62728", \.auc), ("MRR", "#2ca02c", \.mrr),
            ("nDCG@5", "#1f77b4", \.ndcg5), ("nDCG@10", "#9467bd", \.ndcg10),
        ]
        for (index, (name, color, path)) in series.enumerated() {
            let line = points.map { ($0.0, $0.1[keyPath: path]) }
            svg += polyline(line, xs, ys, color: color, width: 2)
            for point in line {
                svg += "<circle cx=\"\(f(scaleX(point.0, xs)))\" cy=\"\(f(scaleY(point.1, ys)))\" r=\"3\" "
                svg += "fill=\"\(color)\"/>\n"
            }
            svg += "<text x=\"\(f(left + 10 + Double(index) * 80))\" y=\"\(f(top + 12))\" fill=\"\(color)\">"
            svg += "\(name)</text>\n"
        }
        return svg + "</svg>\n"
    }

    private static func epochTable(_ epochs: [TrainingLogEntry.EpochRecord]) -> String {
        guard !epochs.isEmpty else { return "<p>No epoch completed yet.</p>\n" }
        var table = "<table><tr><th>epoch</th><th>step</th><th>train loss</th><th>AUC</th><th>MRR</th>"
        table += "<th>nDCG@5</th><th>nDCG@10</th><th>impressions</th><th>time (s)</th></tr>\n"
        for epoch in epochs {
            table += "<tr><td>\(epoch.epoch)</td><td>\(epoch.step)</td><td>\(format(epoch.trainLoss, 4))</td>"
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

    // MARK: - SVG helpers

    private static func frame(xRange: (Double, Double), yRange: (Double, Double),
                              xLabel: String, yLabel: String) -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" "
        svg += "height=\"\(f(height - top - bottom))\" fill=\"none\" stroke=\"#444\"/>\n"
        for tick in 0...4 {
            let fraction = Double(tick) / 4
            let yValue = yRange.0 + fraction * (yRange.1 - yRange.0)
            let y = scaleY(yValue, yRange)
            svg += "<line x1=\"\(f(left - 4))\" y1=\"\(f(y))\" x2=\"\(f(left))\" y2=\"\(f(y))\" stroke=\"#444\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(format(yValue, 3))</text>\n"
            let xValue = xRange.0 + fraction * (xRange.1 - xRange.0)
            let x = scaleX(xValue, xRange)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(height - bottom))\" x2=\"\(f(x))\" "
            svg += "y2=\"\(f(height - bottom + 4))\" stroke=\"#444\"/>"
            let xText = xRange.1 - xRange.0 >= 8 ? String(Int(xValue.rounded())) : format(xValue, 1)
            svg += "<text x=\"\(f(x))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(xText)</text>\n"
        }
        svg += "<text x=\"\(f(left + (width - left - right) / 2))\" y=\"\(f(height - 6))\" "
        svg += "text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text x=\"14\" y=\"\(f(top + (height - top - bottom) / 2))\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 14 \(f(top + (height - top - bottom) / 2)))\">\(escape(yLabel))</text>\n"
        return svg
    }

    private static func polyline(_ points: [(Double, Double)], _ xs: (Double, Double), _ ys: (Double, Double),
                                 color: String, width: Double) -> String {
        let coordinates = points.map { "\(f(scaleX($0.0, xs))),\(f(scaleY($0.1, ys)))" }.joined(separator: " ")
        return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(f(width))\" points=\"\(coordinates)\"/>\n"
    }

    private static func scaleX(_ value: Double, _ range: (Double, Double)) -> Double {
        left + (value - range.0) / (range.1 - range.0) * (width - left - right)
    }

    private static func scaleY(_ value: Double, _ range: (Double, Double)) -> Double {
        height - bottom - (value - range.0) / (range.1 - range.0) * (height - top - bottom)
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
