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
                            o.base[r] = VectorKernels.dot(m.base + r * dimension, v.base, dimension)
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

/// SIMD kernels of the ranker.
public enum VectorKernels {
    /// `Σ_i a[i] · b[i]` over `count` floats, accumulated in four SIMD16 lanes then a scalar tail.
    ///
    /// The summation order is fixed by `count`, so a given pair of vectors always gives the same bits.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var i = 0
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        while i + 32 <= count {
            let a0 = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let b0 = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            let a1 = UnsafeRawPointer(a + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            let b1 = UnsafeRawPointer(b + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            acc0.addProduct(a0, b0)
            acc1.addProduct(a1, b1)
            i += 32
        }
        while i + 16 <= count {
            let a0 = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let b0 = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            acc0.addProduct(a0, b0)
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// `Σ_i a[i] · b[i]` for two arrays of equal length.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot of vectors of different lengths \(a.count) and \(b.count)")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, a.count) }
        }
    }
}
