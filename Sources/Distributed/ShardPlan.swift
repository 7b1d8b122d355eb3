/// Deterministic assignment of shards to ranks, and of a rank's shards to its threads: contiguous blocks, as
/// even as possible (sizes differ by at most one, larger blocks last), the same rule as `parallelFor`.
///
/// Block `i` of `n` over `lo..<hi` is `lo + i·(hi−lo)/n ..< lo + (i+1)·(hi−lo)/n`. With more parts than shards
/// some blocks are empty. The split never changes the result of a reduction (the tree does not depend on it);
/// it only decides how many tree nodes each rank sends: one when the blocks are aligned subtrees (for example
/// S = 8 over 1, 2, 4 or 8 ranks), at most `2·height` otherwise.
public struct ShardPlan: Sendable, Equatable {
    /// Number of shards `S` per step.
    public let shardCount: Int
    /// Number of ranks `N` (≥ 1).
    public let rankCount: Int

    /// A plan for `shardCount` shards over `rankCount` ranks (both ≥ 1).
    public init(shardCount: Int, rankCount: Int) throws(DistributedError) {
        guard shardCount >= 1 else { throw .invalidArgument("shard count must be ≥ 1, found \(shardCount)") }
        guard rankCount >= 1 else { throw .invalidArgument("rank count must be ≥ 1, found \(rankCount)") }
        self.shardCount = shardCount
        self.rankCount = rankCount
    }

    /// Block `index` of `parts` contiguous blocks over `range`.
    public static func block(_ index: Int, of parts: Int, in range: Range<Int>) -> Range<Int> {
        precondition(parts >= 1 && (0..<parts).contains(index), "block \(index) of \(parts)")
        let count = range.count
        return range.lowerBound + index * count / parts ..< range.lowerBound + (index + 1) * count / parts
    }

    /// The shards of `rank`.
    public func shards(ofRank rank: Int) -> Range<Int> {
        Self.block(rank, of: rankCount, in: 0..<shardCount)
    }

    /// The shards that `thread` of `threads` works on inside `rank`.
    public func shards(ofThread thread: Int, of threads: Int, inRank rank: Int) -> Range<Int> {
        Self.block(thread, of: threads, in: shards(ofRank: rank))
    }

    /// The tree nodes `rank` contributes: the maximal nodes of its shard range.
    public func nodes(ofRank rank: Int) throws(DistributedError) -> [TreeNode] {
        try ReductionTree(shardCount: shardCount).maximalNodes(in: shards(ofRank: rank))
    }
}
