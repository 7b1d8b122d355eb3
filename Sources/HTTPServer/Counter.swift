import Synchronization

/// A monotonically increasing count (Prometheus `counter`), optionally split by labels.
///
/// Thread-safe. Label values are given positionally, in the order of the label names declared at registration.
/// Keep the set of label values small and bounded (route patterns, not raw paths; status codes, not messages).
public final class Counter: Sendable, MetricFamily {
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

    var kind: MetricKind { .counter }

    /// Adds `amount` (must be ≥ 0) to the series with `labels`.
    public func increment(by amount: Double = 1, labels: [String] = []) {
        precondition(amount >= 0, "counter \(name) cannot decrease (got \(amount))")
        precondition(labels.count == labelNames.count, "counter \(name) takes labels \(labelNames), got \(labels)")
        series.withLock { $0[labels, default: 0] += amount }
    }

    /// The current value of the series with `labels` (0 if never incremented).
    public func value(labels: [String] = []) -> Double {
        series.withLock { $0[labels] ?? 0 }
    }

    func render(into output: inout String) {
        let snapshot = series.withLock { $0 }
        output += PrometheusText.header(name: name, help: help, type: "counter")
        for labels in snapshot.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            output += name + PrometheusText.labels(labelNames, labels) + " "
                + PrometheusText.value(snapshot[labels] ?? 0) + "\n"
        }
    }
}
