/// Leaderboard figures over a set of impressions: each metric is the unweighted mean of its per-impression
/// values (every impression weighs the same, whatever its number of candidates), as in `evaluate.py`.
///
/// What is averaged:
/// - `auc` over the `impressions − skipped` impressions that have both a click and a non-click;
/// - `mrr`, `ndcg5`, `ndcg10` over the `impressions − withoutClick` impressions that have at least one click
///   (so all-click impressions count here but not in `auc`).
/// A mean over zero impressions is NaN. Values are not rounded (the leaderboard prints 4 decimals).
public struct MetricsSummary: Sendable, Equatable, Codable {
    public var auc: Double
    public var mrr: Double
    public var ndcg5: Double
    public var ndcg10: Double
    /// Every impression that was added.
    public var impressions: Int
    /// Impressions with a single label class (all clicks, all non-clicks, or no candidates): not in `auc`.
    public var skipped: Int
    /// Impressions without any click (a subset of `skipped`): not in `mrr`, `ndcg5`, `ndcg10` either.
    public var withoutClick: Int

    public init(auc: Double, mrr: Double, ndcg5: Double, ndcg10: Double,
                impressions: Int, skipped: Int, withoutClick: Int) {
        self.auc = auc
        self.mrr = mrr
        self.ndcg5 = ndcg5
        self.ndcg10 = ndcg10
        self.impressions = impressions
        self.skipped = skipped
        self.withoutClick = withoutClick
    }

    /// `AUC 0.6812  MRR 0.3301  nDCG@5 0.3617  nDCG@10 0.4191  (376471 impressions, 0 skipped)`.
    public var formatted: String {
        func four(_ value: Double) -> String {
            guard value.isFinite else { return "nan" }
            let scaled = Int((value * 10_000).rounded())
            let fraction = String(scaled % 10_000)
            return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
        }
        return "AUC \(four(auc))  MRR \(four(mrr))  nDCG@5 \(four(ndcg5))  nDCG@10 \(four(ndcg10))  "
            + "(\(impressions) impressions, \(skipped) skipped)"
    }
}

/// Streams impressions into the leaderboard means with Double sums, in constant memory.
///
/// ```swift
/// var accumulator = MetricsAccumulator()
/// try accumulator.add(labels: [false, true, false], scores: [0.2, 0.9, 0.1])
/// accumulator.summary.auc   // 1.0
/// ```
/// Accumulators of disjoint parts (e.g. one per thread) combine with `merge(_:)`.
public struct MetricsAccumulator: Sendable, Equatable {
    private var aucSum = 0.0
    private var mrrSum = 0.0
    private var ndcg5Sum = 0.0
    private var ndcg10Sum = 0.0
    private var impressions = 0
    private var withAUC = 0
    private var withClick = 0

    public init() {}

    /// Adds one impression (see `ImpressionMetrics` for the formulas).
    /// - Parameters:
    ///   - labels: `[candidates]`, `true` = clicked.
    ///   - scores: `[candidates]`, higher = better.
    /// - Throws: `MetricsError.lengthMismatch`, `MetricsError.notANumber` (nothing is added then).
    @inlinable
    public mutating func add<Score: BinaryFloatingPoint>(labels: [Bool], scores: [Score]) throws {
        add(try ImpressionMetrics(labels: labels, scores: scores))
    }

    /// Adds the metrics of one impression computed elsewhere.
    public mutating func add(_ metrics: ImpressionMetrics) {
        impressions += 1
        if let auc = metrics.auc {
            aucSum += auc
            withAUC += 1
        }
        if let mrr = metrics.mrr, let ndcg5 = metrics.ndcg5, let ndcg10 = metrics.ndcg10 {
            mrrSum += mrr
            ndcg5Sum += ndcg5
            ndcg10Sum += ndcg10
            withClick += 1
        }
    }

    /// Adds everything another accumulator has seen.
    public mutating func merge(_ other: MetricsAccumulator) {
        aucSum += other.aucSum
        mrrSum += other.mrrSum
        ndcg5Sum += other.ndcg5Sum
        ndcg10Sum += other.ndcg10Sum
        impressions += other.impressions
        withAUC += other.withAUC
        withClick += other.withClick
    }

    /// The means so far.
    public var summary: MetricsSummary {
        let clicked = Double(withClick)
        return MetricsSummary(
            auc: aucSum / Double(withAUC), mrr: mrrSum / clicked, ndcg5: ndcg5Sum / clicked,
            ndcg10: ndcg10Sum / clicked, impressions: impressions, skipped: impressions - withAUC,
            withoutClick: impressions - withClick)
    }
}
