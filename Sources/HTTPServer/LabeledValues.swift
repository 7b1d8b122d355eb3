import Synchronization

/// The series of a counter or gauge: one value per combination of label values, thread-safe, rendered in the
/// Prometheus text format. Label values are given positionally, in the order of `labelNames`.
final class LabeledValues: Sendable {
    let name: String
    let help: String
    let labelNames: [String]
    private let series: Mutex<[[String]: Double]>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        series = Mutex(labelNames.isEmpty ? [[]: 0] : [:])
    }

    /// Changes the value of the series with `labels` (0 when new).
    func update(_ labels: [String], _ change: (inout Double) -> Void) {
        precondition(labels.count == labelNames.count, "metric \(name) takes labels \(labelNames), got \(labels)")
        series.withLock { change(&$0[labels, default: 0]) }
    }

    /// The value of the series with `labels` (0 if never changed).
    func value(_ labels: [String]) -> Double {
        series.withLock { $0[labels] ?? 0 }
    }

    /// `# HELP`, `# TYPE type` and one line per series, in label order.
    func render(type: String, into output: inout String) {
        let snapshot = series.withLock { $0 }
        output += PrometheusText.header(name: name, help: help, type: type)
        for labels in snapshot.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            output += name + PrometheusText.labels(labelNames, labels) + " "
                + PrometheusText.value(snapshot[labels] ?? 0) + "\n"
        }
    }
}

/// What counters and gauges share: a name, a help text, label names, and their series.
public class LabeledMetric: @unchecked Sendable {
    let values: LabeledValues

    init(name: String, help: String, labelNames: [String]) {
        values = LabeledValues(name: name, help: help, labelNames: labelNames)
    }

    /// The metric name as exposed (e.g. `http_requests_total`).
    public var name: String { values.name }
    /// The `# HELP` text.
    public var help: String { values.help }
    /// The label names, in the order label values are passed.
    public var labelNames: [String] { values.labelNames }
}
