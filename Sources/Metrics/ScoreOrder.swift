/// Orders the candidates of one impression by score, as the leaderboard file and the ranking metrics need.
///
/// Rule used everywhere in this module: higher score first; equal scores keep candidate order (the earlier
/// candidate ranks first). `numpy.argsort(score)[::-1]`, used by MIND's `evaluate.py`, leaves the order of ties
/// unspecified (for short arrays it puts the LATER candidate first); only tied scores can differ.
public enum ScoreOrder {
    /// Candidate indices best first: `order[0]` is the index of the highest score.
    ///
    /// NaN scores rank after every number.
    /// - Complexity: O(n log n) for `n` candidates.
    @inlinable
    public static func order<Score: BinaryFloatingPoint>(scores: [Score]) -> [Int] {
        let keys = scores.map { $0.isNaN ? -Double.infinity : Double($0) }
        return keys.indices.sorted { a, b in
            keys[a] > keys[b] || (keys[a] == keys[b] && a < b)
        }
    }

    /// Leaderboard ranks, one per candidate in candidate order: `1` = best, `n` = worst, all distinct.
    ///
    /// Equivalent to the notebook's `argsort(argsort(preds)[::-1]) + 1` except for the order among ties.
    @inlinable
    public static func ranks<Score: BinaryFloatingPoint>(scores: [Score]) -> [Int] {
        var ranks = [Int](repeating: 0, count: scores.count)
        for (position, candidate) in order(scores: scores).enumerated() {
            ranks[candidate] = position + 1
        }
        return ranks
    }
}
