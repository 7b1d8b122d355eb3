import Foundation

/// AUC, MRR, nDCG@5 and nDCG@10 of one impression, computed as MIND's `evaluate.py` and Microsoft
/// Recommenders' `cal_metric` compute them.
///
/// With `y` the 0/1 labels and candidates ordered by score (higher first, ties by candidate order, see
/// `Ranking`), `rank_i` = 1-based position of candidate `i`:
/// ```
/// AUC     = (#{(p, n) : s_p > s_n} + ½ #{(p, n) : s_p = s_n}) / (P · N)    (sklearn roc_auc_score)
/// MRR     = Σ_i y_i / rank_i  /  Σ_i y_i                                   (all clicks, not only the first)
/// DCG@k   = Σ_{rank ≤ k} (2^y − 1) / log2(rank + 1)
/// nDCG@k  = DCG@k(order by score) / DCG@k(order by label)
/// ```
/// A metric that the reference leaves undefined is `nil`: AUC when the impression has only one label class
/// (sklearn raises or returns NaN), MRR and nDCG when it has no click (0/0). An all-click impression has
/// an MRR and nDCG (= 1) but no AUC.
public struct ImpressionMetrics: Sendable, Equatable {
    /// Area under the ROC curve; nil unless the impression has both a click and a non-click.
    public let auc: Double?
    /// Mean reciprocal rank of the clicked candidates; nil when nothing was clicked.
    public let mrr: Double?
    /// nDCG over the top 5; nil when nothing was clicked.
    public let ndcg5: Double?
    /// nDCG over the top 10; nil when nothing was clicked.
    public let ndcg10: Double?

    /// Computes the metrics of one impression.
    /// - Parameters:
    ///   - labels: `[candidates]`, `true` = clicked.
    ///   - scores: `[candidates]`, higher = more likely clicked. Only their order matters (and ties).
    /// - Throws: `MetricsError.lengthMismatch`, `MetricsError.notANumber`.
    @inlinable
    public init<Score: BinaryFloatingPoint>(labels: [Bool], scores: [Score]) throws {
        guard labels.count == scores.count else {
            throw MetricsError.lengthMismatch(labels: labels.count, scores: scores.count)
        }
        if let bad = scores.firstIndex(where: { $0.isNaN }) { throw MetricsError.notANumber(candidate: bad) }
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        let negatives = labels.count - positives
        guard positives > 0 else {
            auc = nil; mrr = nil; ndcg5 = nil; ndcg10 = nil
            return
        }
        let values = scores.map { Double($0) }
        auc = negatives > 0 ? Self.auc(labels: labels, scores: values, positives: positives, negatives: negatives) : nil
        let order = ScoreOrder.order(scores: values)
        var reciprocal = 0.0
        for (position, candidate) in order.enumerated() where labels[candidate] {
            reciprocal += 1.0 / Double(position + 1)
        }
        mrr = reciprocal / Double(positives)
        ndcg5 = Self.ndcg(labels: labels, order: order, positives: positives, k: 5)
        ndcg10 = Self.ndcg(labels: labels, order: order, positives: positives, k: 10)
    }

    /// Convenience for 0/1 integer labels as in truth files (any non-zero value counts as a click).
    public init<Score: BinaryFloatingPoint>(labels: [Int], scores: [Score]) throws {
        try self.init(labels: labels.map { $0 != 0 }, scores: scores)
    }

    /// Mann–Whitney form of the ROC area: sweep the scores in ascending groups of equal value; the positives of
    /// a group beat every negative below it and tie with the negatives inside it (½ each). Equal to the
    /// trapezoidal area of sklearn's ROC curve.
    @usableFromInline
    static func auc(labels: [Bool], scores: [Double], positives: Int, negatives: Int) -> Double {
        let ascending = scores.indices.sorted { scores[$0] < scores[$1] }
        var pairs = 0.0
        var negativesBelow = 0
        var start = 0
        while start < ascending.count {
            var end = start
            var groupPositives = 0
            var groupNegatives = 0
            while end < ascending.count, scores[ascending[end]] == scores[ascending[start]] {
                if labels[ascending[end]] { groupPositives += 1 } else { groupNegatives += 1 }
                end += 1
            }
            pairs += Double(groupPositives) * (Double(negativesBelow) + 0.5 * Double(groupNegatives))
            negativesBelow += groupNegatives
            start = end
        }
        return pairs / (Double(positives) * Double(negatives))
    }

    /// `DCG@k(order) / DCG@k(ideal)` with binary gains: the ideal order puts all `positives` clicks first.
    @usableFromInline
    static func ndcg(labels: [Bool], order: [Int], positives: Int, k: Int) -> Double {
        var actual = 0.0
        for position in 0..<min(k, order.count) where labels[order[position]] {
            actual += 1.0 / log2(Double(position + 2))
        }
        var ideal = 0.0
        for position in 0..<min(k, positives) {
            ideal += 1.0 / log2(Double(position + 2))
        }
        return actual / ideal
    }
}
