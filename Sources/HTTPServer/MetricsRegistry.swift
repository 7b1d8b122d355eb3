import Synchronization

/// The kinds of metric family a registry holds.
public enum MetricKind: String, Sendable {
    case counter, gauge, histogram
}

/// What a registry needs from a metric family.
protocol MetricFamily: AnyObject, Sendable {
    var name: String { get }
    var labelNames: [String] { get }
    var kind: MetricKind { get }
    func render(into output: inout String)
}

/// A set of named metrics rendered in the Prometheus text exposition format (version 0.0.4).
///
/// The HTTP server registers its own request metrics here; the service adds its own (cache hits, clicks recorded,
/// news added) through `counter`, `gauge` and `histogram`, and serves `exposition()` with `Router.addMetrics`.
/// Registering a name again with the same kind and label names returns the existing metric, so independent parts
/// of a program can ask for the same counter; a clash of kind or labels is a programming error and stops the
/// process. Thread-safe.
public final class MetricsRegistry: Sendable {
    private let families: Mutex<[String: any MetricFamily]> = Mutex([:])

    /// The `Content-Type` of `exposition()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// An empty registry.
    public init() {}

    /// The counter `name`, registering it on first use.
    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        register(name, kind: .counter, labels: labels) { Counter(name: name, help: help, labelNames: labels) }
    }

    /// The gauge `name`, registering it on first use.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        register(name, kind: .gauge, labels: labels) { Gauge(name: name, help: help, labelNames: labels) }
    }

    /// The histogram `name` with finite, strictly increasing `buckets`, registering it on first use.
    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = Histogram.latencyBuckets) -> Histogram {
        register(name, kind: .histogram, labels: labels) {
            Histogram(name: name, help: help, labelNames: labels, buckets: buckets)
        }
    }

    /// Every family, sorted by name, in the Prometheus text format (each line ends with a newline).
    public func exposition() -> String {
        let snapshot = families.withLock { $0 }
        var output = ""
        for name in snapshot.keys.sorted() {
            snapshot[name]?.render(into: &output)
        }
        return output
    }

    private func register<M: MetricFamily>(_ name: String, kind: MetricKind, labels: [String],
                                           make: () -> M) -> M {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name '\(name)'")
        precondition(labels.allSatisfy(PrometheusText.isValidLabelName), "invalid label names \(labels) for \(name)")
        precondition(Set(labels).count == labels.count, "repeated label name in \(labels) for \(name)")
        return families.withLock { families in
            if let existing = families[name] {
                guard let typed = existing as? M, existing.labelNames == labels else {
                    preconditionFailure("metric \(name) is already a \(existing.kind) with labels \(existing.labelNames)")
                }
                return typed
            }
            let metric = make()
            families[name] = metric
            return metric
        }
    }
}
