import Distributed
import Foundation

/// Times `repeat` reductions of freshly generated shards (generation is not timed) and prints, on rank 0, each
/// rank's bytes and the median over steps of the slowest rank's time.
func runBenchmark(_ arguments: SelftestArguments) {
    ProcessGroup.withWorld { group in
        let shape = arguments.shape(dense: 600_000, rows: 3000, width: 300, vocabulary: 65_000, varyRows: false)
        let plan = try ShardPlan(shardCount: arguments.int("shards", 8), rankCount: group.size)
        let reducer = TreeReducer(tree: try ReductionTree(shardCount: plan.shardCount), group: group)
        let range = plan.shards(ofRank: group.rank)
        var stepTimes: [Double] = [], exchangeTimes: [Double] = [], gatherTimes: [Double] = []
        var last = CommunicationStats(), rootRows = 0
        for step in 0..<arguments.int("repeat", 5) {
            let shards = range.map { syntheticShard($0, seed: UInt64(step), shape: shape) }
            try group.barrier()
            let result = try reducer.reduce(shards: consume shards, range: range)
            last = result.stats
            rootRows = result.gradient.rowCount
            let slowest = try gatherUInt64(UInt64(last.totalTime.nanoseconds), group: group).max() ?? 0
            stepTimes.append(Double(slowest) / 1e6)
            exchangeTimes.append(Double(last.exchangeTime.nanoseconds) / 1e6)
            gatherTimes.append(Double(last.allgathervTime.nanoseconds) / 1e6)
        }
        try reportBenchmark(group: group, plan: plan, shape: shape, stats: last, rootRows: rootRows,
                            stepTimes: stepTimes, exchangeTimes: exchangeTimes, gatherTimes: gatherTimes)
    }
}

private func reportBenchmark(group: ProcessGroup, plan: ShardPlan, shape: ShardShape, stats: CommunicationStats,
                             rootRows: Int, stepTimes: [Double], exchangeTimes: [Double], gatherTimes: [Double]) throws {
    let fields = [stats.bytesSent, stats.bytesReceived, stats.nodesSent, stats.nodesReceived]
        .map { UInt64($0) } + [UInt64(median(exchangeTimes) * 1000), UInt64(median(gatherTimes) * 1000)]
    var perRank: [[UInt64]] = []
    for field in fields { perRank.append(try gatherUInt64(field, group: group)) }
    guard group.rank == 0 else { return }
    emit("bench S=\(plan.shardCount) ranks=\(group.size) D=\(shape.dense) rows/shard=\(shape.rows) width=\(shape.width) "
        + "rows at root=\(rootRows)")
    for rank in 0..<group.size {
        emit("  rank \(rank): shards \(plan.shards(ofRank: rank)) sent \(perRank[0][rank]) B (\(perRank[2][rank]) nodes), "
            + "received \(perRank[1][rank]) B (\(perRank[3][rank]) nodes), exchange median \(Double(perRank[4][rank]) / 1000) ms "
            + "(allgatherv \(Double(perRank[5][rank]) / 1000) ms)")
    }
    let formatted = stepTimes.map { String(format: "%.1f", $0) }.joined(separator: " ")
    emit("  step time (slowest rank) median \(String(format: "%.1f", median(stepTimes))) ms; all: \(formatted)")
}

private func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    return values.sorted()[values.count / 2]
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
