import Basics

/// What one `TreeReducer.reduce` moved and how long it took, on this rank.
///
/// Byte counts are what this rank put into and got out of the `allgatherv` (the encoded contributions,
/// headers included, plus 8 bytes per rank for the length exchange). How MPI routes them is its own business:
/// a ring or direct allgather makes each rank physically send about `bytesReceived` in total (it forwards or
/// repeats data for the others), so treat `bytesSent` as this rank's share, not wire traffic.
public struct CommunicationStats: Sendable, Equatable {
    /// Bytes of this rank's contribution (its tree nodes).
    public var bytesSent = 0
    /// Bytes of the other ranks' contributions.
    public var bytesReceived = 0
    /// Tree nodes this rank contributed.
    public var nodesSent = 0
    /// Tree nodes received from other ranks.
    public var nodesReceived = 0
    /// Encoding, `allgatherv` and decoding.
    public var exchangeTime: Duration = .zero
    /// The `allgatherv` alone, including waiting for the slowest rank to arrive.
    public var allgathervTime: Duration = .zero
    /// The whole reduction: local tree, exchange, upper levels.
    public var totalTime: Duration = .zero

    /// All zero (what a single-process reduction reports, apart from the times).
    public init() {}
}

/// The sum of the `CommunicationStats` of several steps, for per-step means.
public struct CommunicationTotals: Sendable, Equatable {
    /// Steps added.
    public private(set) var steps = 0
    /// The sum of the steps' figures.
    public private(set) var sum = CommunicationStats()

    public init() {}

    /// Adds one step's figures.
    public mutating func add(_ step: CommunicationStats) {
        steps += 1
        sum.bytesSent += step.bytesSent
        sum.bytesReceived += step.bytesReceived
        sum.nodesSent += step.nodesSent
        sum.nodesReceived += step.nodesReceived
        sum.exchangeTime += step.exchangeTime
        sum.allgathervTime += step.allgathervTime
        sum.totalTime += step.totalTime
    }

    /// Mean bytes sent per step (0 before any step).
    public var meanBytesSent: Double { steps == 0 ? 0 : Double(sum.bytesSent) / Double(steps) }
    /// Mean bytes received per step.
    public var meanBytesReceived: Double { steps == 0 ? 0 : Double(sum.bytesReceived) / Double(steps) }
    /// Mean seconds per step spent in the whole reduction (local tree, exchange, upper levels).
    public var meanReductionSeconds: Double { steps == 0 ? 0 : sum.totalTime.inSeconds / Double(steps) }
    /// Mean seconds per step spent in `allgatherv`, waiting for the slowest rank included.
    public var meanAllgathervSeconds: Double { steps == 0 ? 0 : sum.allgathervTime.inSeconds / Double(steps) }
}
