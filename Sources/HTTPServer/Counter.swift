/// A monotonically increasing count (Prometheus `counter`), optionally split by labels.
///
/// Thread-safe. Label values are given positionally, in the order of the label names declared at registration.
/// Keep the set of label values small and bounded (route patterns, not raw paths; status codes, not messages).
public final class Counter: LabeledMetric, MetricFamily, @unchecked Sendable {
    var kind: MetricKind { .counter }

    /// Adds `amount` (must be ≥ 0) to the series with `labels`.
    public func increment(by amount: Double = 1, labels: [String] = []) {
        precondition(amount >= 0, "counter \(name) cannot decrease (got \(amount))")
        values.update(labels) { $0 += amount }
    }

    /// The current value of the series with `labels` (0 if never incremented).
    public func value(labels: [String] = []) -> Double { values.value(labels) }

    func render(into output: inout String) { values.render(type: "counter", into: &output) }
}
