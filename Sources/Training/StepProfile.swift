import Basics

/// Where the training steps of this process spent their time, and how big their shards' gradients were: sums over
/// the steps run, read by `newsrec bench train` and the scaling model of docs/DISTRIBUTED.md.
public struct StepProfile: Sendable {
    /// Steps measured.
    public internal(set) var steps = 0
    /// Shards this process computed.
    public internal(set) var shards = 0
    /// Samples in those shards.
    public internal(set) var samples = 0
    /// Word-embedding rows in their gradients (the distinct words of each shard's titles).
    public internal(set) var gradientRows = 0
    /// Bytes of their gradients in the exchange format (`GradientPayload.encodedByteCount`).
    public internal(set) var payloadBytes = 0
    /// Seconds building the shards' batches (samples → deduplicated news → packed titles and histories).
    public internal(set) var batchSeconds = 0.0
    /// Seconds bringing the batches' embedding rows up to date (the optimizer's deferred updates).
    public internal(set) var rowSeconds = 0.0
    /// Seconds in the shards' forward and backward passes.
    public internal(set) var shardSeconds = 0.0
    /// Seconds reducing the shard gradients (and exchanging them with other processes) and gathering the loss.
    public internal(set) var reduceSeconds = 0.0
    /// Seconds in the optimizer step.
    public internal(set) var updateSeconds = 0.0

    public init() {}

    /// The phases of a step, in order: the names `millisecondsPerStep` uses.
    public static let phaseNames = ["batches", "embedding rows", "forward+backward", "reduction", "Adam"]

    /// Mean milliseconds per step of each phase, in step order (named as in `phaseNames`).
    public var millisecondsPerStep: [(String, Double)] {
        let scale = steps == 0 ? 0 : 1000 / Double(steps)
        return zip(Self.phaseNames, [batchSeconds, rowSeconds, shardSeconds, reduceSeconds, updateSeconds])
            .map { ($0, $1 * scale) }
    }

    /// Mean per shard: samples, gradient rows, gradient bytes.
    public var perShard: (samples: Double, gradientRows: Double, payloadBytes: Double) {
        let scale = shards == 0 ? 0 : 1 / Double(shards)
        return (Double(samples) * scale, Double(gradientRows) * scale, Double(payloadBytes) * scale)
    }

    /// The figures of the steps in `later` that are not in `earlier` (a profile read before them).
    public static func - (later: StepProfile, earlier: StepProfile) -> StepProfile {
        var difference = later
        difference.steps -= earlier.steps
        difference.shards -= earlier.shards
        difference.samples -= earlier.samples
        difference.gradientRows -= earlier.gradientRows
        difference.payloadBytes -= earlier.payloadBytes
        difference.batchSeconds -= earlier.batchSeconds
        difference.rowSeconds -= earlier.rowSeconds
        difference.shardSeconds -= earlier.shardSeconds
        difference.reduceSeconds -= earlier.reduceSeconds
        difference.updateSeconds -= earlier.updateSeconds
        return difference
    }
}

/// Seconds since the previous call (or since it was made), for timing consecutive phases.
struct PhaseClock {
    private var last = ContinuousClock.now

    /// The seconds since the previous `lap` (or the clock's creation), restarting the count.
    mutating func lap() -> Double {
        let now = ContinuousClock.now
        defer { last = now }
        return (now - last).inSeconds
    }
}
