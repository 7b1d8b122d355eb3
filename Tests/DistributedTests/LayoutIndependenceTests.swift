import Distributed
import Testing

@Suite("Tree reduction is independent of the layout")
struct LayoutIndependenceTests {
    /// The shard ranges of ranks for split `mask` of `shardCount` shards: bit i set = a cut after shard i.
    private func split(_ mask: Int, shardCount: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = [], start = 0
        for shard in 0..<shardCount - 1 where mask & (1 << shard) != 0 {
            ranges.append(start..<shard + 1)
            start = shard + 1
        }
        return ranges + [start..<shardCount]
    }

    /// Reduces `shards` over in-memory ranks owning `ranges`, each rank's shards spread over `threads` threads
    /// that reduce their own blocks first. Returns each rank's result.
    private func reduceInMemory(_ shards: [GradientPayload], ranges: [Range<Int>],
                                threads: Int) throws -> [ReducedGradient] {
        let tree = try ReductionTree(shardCount: shards.count)
        return try runRanks(ranges.count) { group in
            let range = ranges[group.rank]
            var nodes: [TreeNode: GradientPayload] = [:]
            for thread in 0..<threads {
                let block = ShardPlan.block(thread, of: threads, in: range)
                nodes.merge(try tree.reduce(shards: Array(shards[block]), range: block)) { first, _ in first }
            }
            return try TreeReducer(tree: tree, group: group).reduce(nodes: nodes)
        }.map { try $0.get() }
    }

    @Test("all 128 splits of 8 shards over 1…8 ranks (and 1…3 threads per rank) give the reference bytes on every rank")
    func everySplit() throws {
        let shards = smallShards(8)
        let reference = try referenceTreeValue(shards, 0, 8).encoded()
        let single = try TreeReducer(tree: ReductionTree(shardCount: 8), group: .singleProcess())
            .reduce(shards: shards, range: 0..<8)
        #expect(single.gradient.encoded() == reference)
        #expect(single.stats.bytesSent == 0 && single.stats.bytesReceived == 0)
        for mask in 0..<128 {
            let ranges = split(mask, shardCount: 8)
            let results = try reduceInMemory(shards, ranges: ranges, threads: 1 + mask % 3)
            for (rank, result) in results.enumerated() {
                #expect(result.gradient.encoded() == reference, "split \(ranges), rank \(rank)")
            }
        }
    }

    @Test("the data are order sensitive: a serial left-to-right sum differs from the tree")
    func orderMatters() throws {
        let shards = smallShards(8)
        var serial = shards[0]
        for shard in shards.dropFirst() { shard.combine(into: &serial) }
        #expect(serial.encoded() != (try referenceTreeValue(shards, 0, 8).encoded()))
    }

    @Test("odd shard counts and more ranks than shards: plan blocks, reference bytes, node counts")
    func plannedSplits() throws {
        for (shardCount, ranks) in [(7, 3), (13, 4), (5, 8), (8, 3)] {
            let shards = smallShards(shardCount, seed: UInt64(shardCount))
            let plan = try ShardPlan(shardCount: shardCount, rankCount: ranks)
            let results = try reduceInMemory(shards, ranges: (0..<ranks).map(plan.shards(ofRank:)), threads: 2)
            let reference = try referenceTreeValue(shards, 0, shardCount).encoded()
            for (rank, result) in results.enumerated() {
                #expect(result.gradient.encoded() == reference)
                #expect(result.stats.nodesSent == (try plan.nodes(ofRank: rank).count))
                #expect(result.stats.nodesSent + result.stats.nodesReceived == results.map(\.stats.nodesSent).reduce(0, +))
            }
        }
    }

    @Test("bytes per rank: S = 8 over 2 ranks sends one node each, header + payload + length exchange")
    func bytesPerRank() throws {
        let shards = smallShards(8)
        let tree = try ReductionTree(shardCount: 8)
        let results = try reduceInMemory(shards, ranges: [0..<4, 4..<8], threads: 1)
        for (rank, result) in results.enumerated() {
            let node = try tree.reduce(shards: Array(shards[rank * 4..<rank * 4 + 4]), range: rank * 4..<rank * 4 + 4)
            let expected = 24 + 16 + node[TreeNode(rank * 4..<rank * 4 + 4)]!.encodedByteCount + 8
            #expect(result.stats.bytesSent == expected)
            #expect(result.stats.nodesSent == 1 && result.stats.nodesReceived == 1)
            #expect(result.stats.bytesReceived == results[1 - rank].stats.bytesSent)
        }
    }

    @Test("a missing shard, an overlap or a shape mismatch throws on every rank (none hangs)")
    func errorsAreCollective() throws {
        let shards = smallShards(4)
        let tree = try ReductionTree(shardCount: 4)
        let wide = try GradientPayload(dense: shards[3].dense + [1], width: shards[3].width)
        let cases: [[Int: [TreeNode: GradientPayload]]] = [
            [0: [TreeNode(0..<1): shards[0]], 1: [TreeNode(2..<4): shards[2]]],                      // shard 1 missing
            [0: [TreeNode(0..<2): shards[0]], 1: [TreeNode(1..<2): shards[1], TreeNode(2..<4): shards[2]]],  // overlap
            [0: [TreeNode(0..<2): shards[0], TreeNode(2..<3): shards[2]], 1: [TreeNode(3..<4): wide]],  // shape
        ]
        for contributions in cases {
            let results = runRanks(2) { group in
                try TreeReducer(tree: tree, group: group).reduce(nodes: contributions[group.rank]!)
            }
            for result in results {
                #expect(throws: DistributedError.self) { try result.get() }
            }
        }
    }
}
