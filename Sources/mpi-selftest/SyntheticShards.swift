import Basics
import Distributed

/// Sizes of the synthetic shard gradients.
struct ShardShape: Sendable {
    /// Dense floats `D`.
    var dense: Int
    /// Sparse rows touched per shard (some shards touch fewer or none when `varyRows`).
    var rows: Int
    /// Floats per row.
    var width: Int
    /// Rows are drawn from `0..<vocabulary`.
    var vocabulary: Int
    /// Vary the row count by shard (including shards that touch no row) to exercise every merge case.
    var varyRows: Bool
}

/// Deterministic shard gradients: shard `k` depends only on `(seed, k, shape)`, so any rank can make its own.
///
/// Values span magnitudes 2^−12 … 2^12 (so a wrong summation order changes the bits), and about 3 % are an exact
/// −0.0 or +0.0 (so a copied row and an added zero differ). Row ids are distinct and sorted; each shard draws its
/// own subset, so many rows are touched by some shards only.
func syntheticShard(_ shard: Int, seed: UInt64, shape: ShardShape) -> GradientPayload {
    var random = SplitMix64(seed: seed, keys: UInt64(shard))
    let dense = (0..<shape.dense).map { _ in random.nextGradientValue() }
    var rowCount = min(shape.rows, shape.vocabulary)
    if shape.varyRows { rowCount = shard % 5 == 3 ? 0 : rowCount * (2 + shard % 3) / 4 }
    var chosen = Set<Int32>()
    while chosen.count < rowCount { chosen.insert(Int32(random.nextIndex(below: shape.vocabulary))) }
    let ids = chosen.sorted()
    let values = (0..<ids.count * shape.width).map { _ in random.nextGradientValue() }
    do {
        return try GradientPayload(dense: dense, rowIDs: ids, rowValues: values, width: shape.width)
    } catch {
        fatalError("synthetic shard \(shard) is malformed: \(error)")
    }
}

extension SplitMix64 {
    /// A float in ±[2^−12, 2^12), or an exact ±0.0 about 3 % of the time.
    mutating func nextGradientValue() -> Float {
        let bits = next()
        switch bits % 64 {
        case 0: return -0.0
        case 1: return 0.0
        default:
            let mantissa = Float(bits >> 40) / Float(1 << 24) + 0.5
            let exponent = Int((bits >> 8) % 25) - 12
            let sign: Float = bits & 0x80 == 0 ? 1 : -1
            return sign * Float(sign: .plus, exponent: exponent, significand: mantissa)
        }
    }
}
