import Distributed
@testable import mpi_selftest

/// The tree's value written straight from its definition, independently of `ReductionTree`/`combine`:
/// `value([lo, hi)) = value([lo, mid)) + value([mid, hi))`, `mid = lo + (hi − lo) / 2`, rows by dictionary.
func referenceTreeValue(_ shards: [GradientPayload], _ lo: Int, _ hi: Int) throws -> GradientPayload {
    if hi - lo == 1 { return shards[lo] }
    let mid = lo + (hi - lo) / 2
    return try referenceSum(referenceTreeValue(shards, lo, mid), referenceTreeValue(shards, mid, hi))
}

/// `left + right` per the contract: dense elementwise; row union, `l + r` where both have the row, else a copy.
func referenceSum(_ left: GradientPayload, _ right: GradientPayload) throws -> GradientPayload {
    let width = left.width
    let dense = zip(left.dense, right.dense).map { $0 + $1 }
    var rows: [Int32: [Float]] = [:]
    for (i, id) in left.rowIDs.enumerated() { rows[id] = Array(left.rowValues[i * width..<(i + 1) * width]) }
    for (j, id) in right.rowIDs.enumerated() {
        let values = Array(right.rowValues[j * width..<(j + 1) * width])
        rows[id] = rows[id].map { zip($0, values).map { $0 + $1 } } ?? values
    }
    let ids = rows.keys.sorted()
    return try GradientPayload(dense: dense, rowIDs: ids, rowValues: ids.flatMap { rows[$0]! }, width: width)
}

/// Small synthetic shards (see `syntheticShard`): rows overlap often, some shards touch none, values include ±0.0.
func smallShards(_ count: Int, seed: UInt64 = 11) -> [GradientPayload] {
    let shape = ShardShape(dense: 48, rows: 6, width: 3, vocabulary: 14, varyRows: true)
    return (0..<count).map { syntheticShard($0, seed: seed, shape: shape) }
}
