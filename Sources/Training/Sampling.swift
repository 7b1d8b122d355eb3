import Basics
/// The training samples of one epoch: one per clicked candidate of each training impression, with its negatives.
///
/// Layout: `impressions[i]` is the impression of sample `i`; `candidates` is `[count × (1 + negatives)]` news rows,
/// the clicked news in column 0 and the negatives after it. Samples are stored in shuffled (training) order.
public struct SampleSet: Sendable {
    /// Negatives per sample.
    public let negatives: Int
    /// Impression index (into the `ImpressionTable`) of each sample.
    public private(set) var impressions: [Int32] = []
    /// `[count × (1 + negatives)]` news rows, positive first.
    public private(set) var candidates: [Int32] = []
    /// Clicks left out because no news file defines the clicked news (0 on complete MIND files).
    public private(set) var droppedClicks = 0

    /// Number of samples.
    public var count: Int { impressions.count }
    /// Candidates per sample (`1 + negatives`).
    public var width: Int { 1 + negatives }

    /// The news rows of sample `index`: positive first, then the negatives.
    public func candidates(of index: Int) -> ArraySlice<Int32> {
        candidates[(index * width)..<((index + 1) * width)]
    }

    /// Draws the samples of `epoch` and shuffles them, deterministically for `(seed, epoch)`.
    ///
    /// Rules, per clicked candidate of a labelled impression:
    /// - at least `negatives` non-clicked candidates: `negatives` of them drawn without replacement;
    /// - fewer, but some: every non-clicked candidate once, the remaining slots drawn from them with replacement;
    /// - none: drawn uniformly from the candidate news of the whole split, avoiding the impression's clicked news
    ///   (unless the split has nothing else).
    /// Samples are then shuffled with a stream of `(seed, epoch)`. A click on a news of `undefined` (no news row:
    /// nothing to learn from) gives no sample and is counted in `droppedClicks`.
    /// - Throws: `TrainingDataError` when the split has no clicked candidate.
    public init(impressions table: ImpressionTable, negatives: Int, seed: UInt64, epoch: Int,
                undefined: Set<Int32> = []) throws {
        precondition(negatives >= 0, "negatives must be non-negative")
        self.negatives = negatives
        let pool = Self.candidatePool(of: table)
        var random = SplitMix64(seed: seed, keys: StreamPurpose.negatives.rawValue, UInt64(epoch))
        var clicked: [Int32] = []
        var others: [Int32] = []
        var drawn: [Int32] = []
        for index in 0..<table.count {
            clicked.removeAll(keepingCapacity: true)
            others.removeAll(keepingCapacity: true)
            for (row, label) in zip(table.candidates(of: index), table.labels(of: index)) {
                if label == 1 { clicked.append(row) } else if label == 0 { others.append(row) }
            }
            for positive in clicked {
                if undefined.contains(positive) {
                    droppedClicks += 1
                    continue
                }
                Self.drawNegatives(count: negatives, from: &others, clicked: clicked, pool: pool,
                                   random: &random, into: &drawn)
                self.impressions.append(Int32(index))
                self.candidates.append(positive)
                self.candidates.append(contentsOf: drawn)
            }
        }
        guard !self.impressions.isEmpty else {
            throw TrainingDataError(source: "training split", expected: "at least one clicked candidate")
        }
        shuffle(seed: seed, epoch: epoch)
    }

    /// Fills `drawn` with `count` negatives following the rules of `init`.
    static func drawNegatives(count: Int, from others: inout [Int32], clicked: [Int32], pool: [Int32],
                              random: inout SplitMix64, into drawn: inout [Int32]) {
        drawn.removeAll(keepingCapacity: true)
        if others.count >= count {
            // Partial Fisher–Yates: the first `count` slots become a uniform draw without replacement.
            for slot in 0..<count {
                let pick = slot + random.nextIndex(below: others.count - slot)
                others.swapAt(slot, pick)
                drawn.append(others[slot])
            }
        } else if !others.isEmpty {
            drawn.append(contentsOf: others)
            while drawn.count < count { drawn.append(others[random.nextIndex(below: others.count)]) }
        } else {
            let avoidable = pool.contains { !clicked.contains($0) }
            while drawn.count < count {
                let row = pool[random.nextIndex(below: pool.count)]
                if avoidable && clicked.contains(row) { continue }
                drawn.append(row)
            }
        }
    }

    /// The distinct candidate news rows of a split, in order of first appearance.
    static func candidatePool(of table: ImpressionTable) -> [Int32] {
        var seen = Set<Int32>()
        var pool: [Int32] = []
        for row in table.candidates where seen.insert(row).inserted { pool.append(row) }
        return pool
    }

    /// Shuffles the samples (Fisher–Yates) with the stream of `(seed, epoch)`.
    private mutating func shuffle(seed: UInt64, epoch: Int) {
        var random = SplitMix64(seed: seed, keys: StreamPurpose.shuffle.rawValue, UInt64(epoch))
        let width = self.width
        candidates.withUnsafeMutableBufferPointer { rows in
            impressions.withUnsafeMutableBufferPointer { owners in
                var index = owners.count - 1
                while index > 0 {
                    let other = random.nextIndex(below: index + 1)
                    if other != index {
                        owners.swapAt(index, other)
                        for column in 0..<width { rows.swapAt(index * width + column, other * width + column) }
                    }
                    index -= 1
                }
            }
        }
    }
}
