/// The global gradient of a step and what computing it cost this rank.
public struct ReducedGradient: Sendable {
    /// The value of the tree's root: bit-identical on every rank, for any number of ranks, threads and split.
    public var gradient: GradientPayload
    /// Bytes, nodes and time of this rank's part.
    public var stats: CommunicationStats
}

/// Computes the global gradient of a step from the shard gradients spread over the ranks of a `ProcessGroup`.
///
/// Each rank reduces its shards to the maximal tree nodes of its range, every rank gathers every contributed
/// node (one `allgatherv` of `ContributionMessage`s), and each rank finishes the upper levels of the tree in
/// tree order. With one rank nothing is encoded or sent.
///
/// `reduce` is a collective: every rank calls it once per step, with its own shards. Errors found in the
/// gathered data (missing or overlapping shards, shape mismatch) are thrown on every rank alike; an error
/// thrown on one rank before the exchange leaves the others waiting, so run ranks under
/// `ProcessGroup.withWorld` (aborts the job on error) or set `Options.collectiveTimeout`.
public struct TreeReducer: Sendable {
    /// The tree that defines the result.
    public let tree: ReductionTree
    /// The ranks that take part.
    public let group: ProcessGroup

    /// A reducer for `tree`'s shards over `group`'s ranks.
    public init(tree: ReductionTree, group: ProcessGroup) {
        self.tree = tree
        self.group = group
    }

    /// Reduces this rank's shard gradients: `shards[i]` is the gradient of shard `range.lowerBound + i`.
    /// Pass the array as its last use (`consume`) so the tree adds into the shard buffers without copying them.
    public func reduce(shards: consuming [GradientPayload], range: Range<Int>) throws(DistributedError) -> ReducedGradient {
        let start = ContinuousClock.now
        var result = try reduce(nodes: tree.reduce(shards: shards, range: range))
        result.stats.totalTime = ContinuousClock.now - start
        return result
    }

    /// Reduces values this rank already computed for tree nodes with disjoint shards (for example, each thread
    /// reduced its own shard range with `ReductionTree.reduce(shards:range:)`). The union of all ranks' nodes
    /// must cover every shard exactly once.
    public func reduce(nodes: consuming [TreeNode: GradientPayload]) throws(DistributedError) -> ReducedGradient {
        let start = ContinuousClock.now
        var available = try tree.coarsen(nodes)
        var stats = CommunicationStats()
        stats.nodesSent = available.count
        if group.size > 1 { try exchange(&available, stats: &stats) }
        let gradient = try tree.assemble(tree.root, from: &available)
        guard available.isEmpty else {
            let extra = available.keys.sorted().map(\.description).joined(separator: ", ")
            throw .incompleteCover("\(extra) overlap other contributed nodes")
        }
        stats.totalTime = ContinuousClock.now - start
        return ReducedGradient(gradient: gradient, stats: stats)
    }

    /// Sends this rank's nodes and adds every other rank's nodes to `nodes`.
    private func exchange(_ nodes: inout [TreeNode: GradientPayload], stats: inout CommunicationStats) throws(DistributedError) {
        let start = ContinuousClock.now
        let message = ContributionMessage.encode(nodes, shardCount: tree.shardCount)
        let gatherStart = ContinuousClock.now
        let gathered = try group.allgatherv(message)
        stats.allgathervTime = ContinuousClock.now - gatherStart
        let lengthExchange = MemoryLayout<Int64>.size
        stats.bytesSent = message.count + lengthExchange
        for rank in 0..<group.size where rank != group.rank {
            stats.nodesReceived += try ContributionMessage.decode(gathered[rank], rank: rank, tree: tree, into: &nodes)
            stats.bytesReceived += gathered.ranges[rank].count + lengthExchange
        }
        stats.exchangeTime = ContinuousClock.now - start
    }
}
