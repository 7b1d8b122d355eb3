import Synchronization

/// A value that goes up and down (Prometheus `gauge`), optionally split by labels; thread-safe.
public final class Gauge: Sendable, MetricFamily {
    /// The metric name as exposed (e.g. `http_requests_total`).
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// The label names, in the order label values are passed.
    public let labelNames: [String]
    private let series: Mutex<[[String]: Double]>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        series = Mutex(labelNames.isEmpty ? [[]: 0] : [:])
    }

    var kind: MetricKind { .gauge }

    /// Sets the series with `labels` to `value`.
    public func set(_ value: Double, labels: [String] = []) {
        checkLabels(labels)
        series.withLock { $0[labels] = value }
    }

    /// Adds `amount` (may be negative) to the series with `labels`.
    public func increment(by amount: Double = 1, labels: [String] = []) {
        checkLabels(labels)
        series.withLock { $0[labels, default: 0] += amount }
    }

    /// Subtracts `amount` from the series with `labels`.
    public func decrement(by amount: Double = 1, labels: [String] = []) {
        increment(by: -amount, labels: labels)
    }

    /// The current value of the series with `labels` (0 if never set).
    public func value(labels: [String] = []) -> Double {
        series.withLock { $0[labels] ?? 0 }
    }

    private func checkLabels(_ labels: [String]) {
        precondition(labels.count == labelNames.count, "gauge \(name) takes labels \(labelNames), got \(labels)")
    }

    func render(into output: inout String) {
        let snapshot = series.withLock { $0 }
        output += PrometheusText.header(name: name, help: help, type: "gauge")
        for labels in snapshot.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            output += name + PrometheusText.labels(labelNames, labels) + " "
                + PrometheusText.value(snapshot[labels] ?? 0) + "\n"
        }
    }
}
