import Distributed
import Foundation
import Synchronization

/// The meeting point of an in-memory group of ranks that are threads of this process.
///
/// `exchange` is the one primitive: every rank hands in bytes, and once all have arrived every rank gets all of
/// them in rank order. A result is read before its rank can enter the next exchange, so one slot suffices.
final class ThreadGroupHub: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[UInt8]]
    private var arrived = 0
    private var generation = 0
    private var published: [[UInt8]] = []

    init(size: Int) {
        self.size = size
        slots = Array(repeating: [], count: size)
    }

    func exchange(rank: Int, bytes: [UInt8]) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        let myGeneration = generation
        slots[rank] = bytes
        arrived += 1
        if arrived == size {
            published = slots
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == myGeneration { condition.wait() }
        }
        return published
    }
}

/// One rank of an in-memory group: collectives run across the threads of the other ranks.
final class ThreadGroupMember: ProcessGroupBackend {
    let rank: Int
    let hub: ThreadGroupHub
    var size: Int { hub.size }

    init(rank: Int, hub: ThreadGroupHub) {
        self.rank = rank
        self.hub = hub
    }

    func allgatherv(_ bytes: [UInt8]) throws(DistributedError) -> GatheredBytes {
        let parts = hub.exchange(rank: rank, bytes: bytes)
        var ranges: [Range<Int>] = [], start = 0
        for part in parts {
            ranges.append(start..<start + part.count)
            start += part.count
        }
        return GatheredBytes(bytes: parts.flatMap { $0 }, ranges: ranges)
    }

    func broadcast(_ bytes: [UInt8], root: Int) throws(DistributedError) -> [UInt8] {
        hub.exchange(rank: rank, bytes: bytes)[root]
    }

    func barrier() throws(DistributedError) { _ = hub.exchange(rank: rank, bytes: []) }

    func abort(_ message: String) -> Never { fatalError(message) }

    func finalize() throws(DistributedError) {}
}

/// Runs `body` on `size` threads, each with its own rank of one in-memory group; results in rank order.
/// Uses real threads (not `concurrentPerform`, whose width is capped by the core count) since ranks block.
func runRanks<T: Sendable>(_ size: Int,
                           _ body: @escaping @Sendable (ProcessGroup) throws -> T) -> [Result<T, any Error>] {
    let hub = ThreadGroupHub(size: size)
    let results = Mutex<[Result<T, any Error>?]>(Array(repeating: nil, count: size))
    let done = DispatchGroup()
    for rank in 0..<size {
        done.enter()
        Thread {
            let group = ProcessGroup(backend: ThreadGroupMember(rank: rank, hub: hub))
            let result = Result { try body(group) }
            results.withLock { $0[rank] = result }
            done.leave()
        }.start()
    }
    done.wait()
    return results.withLock { $0.map { $0! } }
}
