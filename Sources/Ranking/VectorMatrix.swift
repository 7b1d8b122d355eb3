import Basics
import TensorMath

/// A contiguous row-major matrix of Float32 vectors `[rows × dimension]`, scored against a query by dot product.
///
/// The ranker keeps every cached news vector of a model in one of these, so scoring the whole catalogue is a
/// single pass over memory (`rows × dimension` fused multiply-adds, SIMD16 wide).
public struct VectorMatrix: Sendable {
    /// Number of vectors.
    public private(set) var rows: Int
    /// Length of each vector.
    public let dimension: Int
    /// `[rows × dimension]`, row `r` at `r * dimension ..< (r + 1) * dimension`.
    public private(set) var storage: [Float]

    /// An empty matrix of vectors of length `dimension`.
    public init(dimension: Int, reservingRows capacity: Int = 0) {
        precondition(dimension > 0, "vector dimension must be positive")
        self.dimension = dimension
        self.rows = 0
        self.storage = []
        storage.reserveCapacity(capacity * dimension)
    }

    /// A matrix over `storage` `[rows × dimension]`.
    public init(dimension: Int, storage: [Float]) {
        precondition(dimension > 0 && storage.count % dimension == 0, "storage is not a whole number of rows")
        self.dimension = dimension
        self.rows = storage.count / dimension
        self.storage = storage
    }

    /// Appends one row `[dimension]`.
    public mutating func append<C: Collection>(row: C) where C.Element == Float {
        precondition(row.count == dimension, "row has \(row.count) values, expected \(dimension)")
        storage.append(contentsOf: row)
        rows += 1
    }

    /// Row `index` as an array `[dimension]`.
    public func row(_ index: Int) -> [Float] {
        Array(storage[index * dimension ..< (index + 1) * dimension])
    }

    /// Dot products of every row with `query` `[dimension]`: `scores[r] = Σ_d M[r, d] · query[d]`.
    ///
    /// Rows are split over up to `threads` workers (a pass over a large catalogue is memory-bound; each score is
    /// computed the same way whatever the split).
    /// - Returns: `[rows]`.
    public func scores(against query: [Float], threads: Int = 1) -> [Float] {
        precondition(query.count == dimension, "query has \(query.count) values, expected \(dimension)")
        var result = [Float](repeating: 0, count: rows)
        let dimension = dimension
        storage.withUnsafeBufferPointer { matrix in
            query.withUnsafeBufferPointer { q in
                result.withUnsafeMutableBufferPointer { out in
                    let m = DisjointWrites(matrix.baseAddress!), v = DisjointWrites(q.baseAddress!)
                    let o = DisjointWrites(out.baseAddress!)
                    parallelFor(rows, threads: threads, minimumChunk: 8192) { range in
                        for r in range {
                            o.base[r] = VectorMath.dot(m.base + r * dimension, v.base, count: dimension)
                        }
                    }
                }
            }
        }
        return result
    }

    /// The `k` rows scoring highest against `query`, best first; ties keep the lower row index first.
    ///
    /// - Parameter threads: workers for the scoring pass (see `scores(against:threads:)`).
    public func top(_ k: Int, against query: [Float], threads: Int = 1) -> [(row: Int, score: Float)] {
        let all = scores(against: query, threads: threads)
        var selection = TopK<Int>(capacity: min(k, rows))
        for (row, score) in all.enumerated() where score >= selection.threshold {
            selection.offer(row, score: score)
        }
        return selection.sorted().map { (row: $0.item, score: $0.score) }
    }
}
