import Basics
import Distributed
import Foundation

/// `mode --name value …` with typed lookups and defaults.
struct SelftestArguments {
    let mode: String
    private var values: [String: String] = [:]

    init(_ words: ArraySlice<String>) {
        mode = words.first ?? ""
        var rest = words.dropFirst()
        while let name = rest.popFirst(), name.hasPrefix("--"), let value = rest.popFirst() {
            values[String(name.dropFirst(2))] = value
        }
    }

    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap { Int($0) } ?? fallback }
    func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
    func ints(_ name: String, _ fallback: [Int]) -> [Int] {
        values[name].map { $0.split(separator: ",").compactMap { Int($0) } } ?? fallback
    }

    func shape(dense: Int, rows: Int, width: Int, vocabulary: Int, varyRows: Bool) -> ShardShape {
        ShardShape(dense: int("dense", dense), rows: int("rows", rows), width: int("width", width),
                   vocabulary: int("vocabulary", vocabulary), varyRows: varyRows)
    }
}

/// Writes a line to standard output unbuffered (the process may be killed right after).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// This rank's nodes for a step: each of `threads` threads reduces its block of the rank's shards.
func localNodes(plan: ShardPlan, rank: Int, threads: Int, seed: UInt64,
                shape: ShardShape) throws -> [TreeNode: GradientPayload] {
    let tree = try ReductionTree(shardCount: plan.shardCount)
    let perThread = parallelMap(jobs: threads, threads: threads) { thread, _ in
        let range = plan.shards(ofThread: thread, of: threads, inRank: rank)
        let shards = range.map { syntheticShard($0, seed: seed, shape: shape) }
        return Result { () throws(DistributedError) in try tree.reduce(shards: shards, range: range) }
    }
    var nodes: [TreeNode: GradientPayload] = [:]
    for result in perThread { nodes.merge(try result.get()) { first, _ in first } }
    return nodes
}

/// Every rank's 8-byte value, in rank order.
func gatherUInt64(_ value: UInt64, group: ProcessGroup) throws -> [UInt64] {
    let gathered = try group.allgatherv(withUnsafeBytes(of: value.littleEndian) { Array($0) })
    return (0..<group.size).map { rank in
        gathered[rank].withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }
}

func runCheck(_ arguments: SelftestArguments) {
    ProcessGroup.withWorld { group in
        let seedBytes = try group.broadcast(withUnsafeBytes(of: UInt64(arguments.int("seed", 7))) { Array($0) }, root: 0)
        let seed = seedBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let shape = arguments.shape(dense: 1000, rows: 40, width: 8, vocabulary: 120, varyRows: true)
        for shardCount in arguments.ints("shards", [8, 7, 13]) {
            let plan = try ShardPlan(shardCount: shardCount, rankCount: group.size)
            let nodes = try localNodes(plan: plan, rank: group.rank, threads: arguments.int("threads", 2),
                                       seed: seed, shape: shape)
            let reducer = TreeReducer(tree: try ReductionTree(shardCount: shardCount), group: group)
            let result = try reducer.reduce(nodes: nodes)
            let fingerprints = try gatherUInt64(result.gradient.fingerprint, group: group)
            guard Set(fingerprints).count == 1 else {
                group.abort("ranks disagree for S=\(shardCount): \(fingerprints.map { String($0, radix: 16) })")
            }
            if group.rank == 0 {
                emit("result shards=\(shardCount) ranks=\(group.size) fingerprint=\(String(fingerprints[0], radix: 16))")
            }
        }
        try group.barrier()
    }
}

struct InjectedFailure: Error, CustomStringConvertible {
    var description: String { "injected failure on rank 1" }
}

func runFailure(_ arguments: SelftestArguments) {
    let timeout = arguments.int("timeout-ms", 0)
    let options = ProcessGroup.Options(collectiveTimeout: timeout > 0 ? .milliseconds(timeout) : nil)
    ProcessGroup.withWorld(options: options) { group in
        let shape = arguments.shape(dense: 1000, rows: 40, width: 8, vocabulary: 120, varyRows: true)
        let plan = try ShardPlan(shardCount: 8, rankCount: group.size)
        let nodes = try localNodes(plan: plan, rank: group.rank, threads: 1, seed: 1, shape: shape)
        if group.rank == 1 {
            emit("rank 1 failing: \(arguments.string("how", "exit"))")
            switch arguments.string("how", "exit") {
            case "kill": kill(getpid(), SIGKILL)
            case "throw": throw InjectedFailure()
            case "stall": sleep(120)
            default: exit(3)
            }
        }
        _ = try TreeReducer(tree: try ReductionTree(shardCount: 8), group: group).reduce(nodes: nodes)
        emit("rank \(group.rank) finished a reduction although rank 1 failed")
    }
}
