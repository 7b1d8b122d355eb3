/// A value that goes up and down (Prometheus `gauge`), optionally split by labels; thread-safe.
public final class Gauge: LabeledMetric, MetricFamily, @unchecked Sendable {
    var kind: MetricKind { .gauge }

    /// Sets the series with `labels` to `value`.
    public func set(_ value: Double, labels: [String] = []) {
        values.update(labels) { $0 = value }
    }

    /// Adds `amount` (may be negative) to the series with `labels`.
    public func increment(by amount: Double = 1, labels: [String] = []) {
        values.update(labels) { $0 += amount }
    }

    /// Subtracts `amount` from the series with `labels`.
    public func decrement(by amount: Double = 1, labels: [String] = []) {
        increment(by: -amount, labels: labels)
    }

    /// The current value of the series with `labels` (0 if never set).
    public func value(labels: [String] = []) -> Double { values.value(labels) }

    func render(into output: inout String) { values.render(type: "gauge", into: &output) }
}
