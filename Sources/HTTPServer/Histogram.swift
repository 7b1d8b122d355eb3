import Synchronization

/// A distribution of observed values in fixed buckets (Prometheus `histogram`), optionally split by labels.
///
/// Exposed as cumulative `name_bucket{le="…"}` series ending with `le="+Inf"`, plus `name_sum` and `name_count`.
/// Thread-safe; an observation costs one lock and a binary search over the bounds.
public final class Histogram: Sendable, MetricFamily {
    /// The metric name as exposed (e.g. `http_requests_total`).
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// The label names, in the order label values are passed.
    public let labelNames: [String]
    /// The finite upper bounds, ascending; `+Inf` is implicit.
    public let buckets: [Double]

    struct Series: Sendable {
        var counts: [UInt64]   // per bucket, not cumulative; last = above every finite bound
        var sum: Double = 0
        var count: UInt64 = 0

        init(bucketCount: Int) { counts = Array(repeating: 0, count: bucketCount + 1) }

        mutating func record(_ value: Double, in bucket: Int) {
            counts[bucket] += 1
            sum += value
            count += 1
        }
    }

    private let series: Mutex<[[String]: Series]>

    /// Bounds suited to request latencies in seconds, from 0.5 ms to 10 s.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                  0.5, 1, 2.5, 5, 10]

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        precondition(!buckets.isEmpty && buckets.allSatisfy(\.isFinite), "histogram \(name) needs finite buckets")
        precondition(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 },
                     "histogram \(name) buckets must increase strictly: \(buckets)")
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.buckets = buckets
        series = Mutex(labelNames.isEmpty ? [[]: Series(bucketCount: buckets.count)] : [:])
    }

    var kind: MetricKind { .histogram }

    /// Records one observation of `value` in the series with `labels`.
    public func observe(_ value: Double, labels: [String] = []) {
        precondition(labels.count == labelNames.count, "histogram \(name) takes labels \(labelNames), got \(labels)")
        let bucket = bucketIndex(of: value)
        let bucketCount = buckets.count
        series.withLock { all in
            all[labels, default: Series(bucketCount: bucketCount)].record(value, in: bucket)
        }
    }

    /// The number of observations and their sum in the series with `labels`.
    public func summary(labels: [String] = []) -> (count: UInt64, sum: Double) {
        series.withLock { all in all[labels].map { ($0.count, $0.sum) } ?? (0, 0) }
    }

    /// The first bucket whose bound is ≥ value (values equal to a bound fall in that bucket, as `le` says).
    private func bucketIndex(of value: Double) -> Int {
        var low = 0
        var high = buckets.count
        while low < high {
            let middle = (low + high) / 2
            if buckets[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func render(into output: inout String) {
        let snapshot = series.withLock { $0 }
        output += PrometheusText.header(name: name, help: help, type: "histogram")
        for labels in snapshot.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let entry = snapshot[labels] else { continue }
            var cumulative: UInt64 = 0
            for (index, count) in entry.counts.enumerated() {
                cumulative += count
                let bound = index < buckets.count ? PrometheusText.value(buckets[index]) : "+Inf"
                output += name + "_bucket" + PrometheusText.labels(labelNames, labels, extra: ("le", bound))
                    + " \(cumulative)\n"
            }
            let suffix = PrometheusText.labels(labelNames, labels)
            output += name + "_sum" + suffix + " " + PrometheusText.value(entry.sum) + "\n"
            output += name + "_count" + suffix + " \(entry.count)\n"
        }
    }
}
