/// The gradient of one shard, or of one node of the reduction tree: a dense part plus sparse embedding rows.
///
/// - `dense`: `[D]` floats, the same `D` for every payload of a step (all parameters except the word embedding).
/// - `rowIDs`: `[R]` word-embedding row ids touched, strictly increasing, each ≥ 0.
/// - `rowValues`: `[R × width]` floats, row-major; row `i` is the gradient of embedding row `rowIDs[i]`.
///
/// Combining two payloads (`combine(into:)`) adds the dense parts elementwise and takes the union of the rows:
/// a row present on both sides is `left + right`, a row present on one side is copied bit for bit (no explicit
/// zero is ever added, so −0.0 survives and the result does not depend on which rows other shards touched).
public struct GradientPayload: Sendable {
    /// `[D]` dense gradient.
    public private(set) var dense: [Float]
    /// `[R]` sorted, distinct embedding row ids.
    public private(set) var rowIDs: [Int32]
    /// `[R × width]` row gradients, in the order of `rowIDs`.
    public private(set) var rowValues: [Float]
    /// Floats per embedding row.
    public let width: Int

    /// Checks the shapes: `rowIDs` strictly increasing and non-negative, `rowValues.count == rowIDs.count × width`.
    public init(dense: [Float], rowIDs: [Int32] = [], rowValues: [Float] = [], width: Int) throws(DistributedError) {
        guard width >= 0 else { throw .invalidArgument("row width \(width) is negative") }
        guard rowValues.count == rowIDs.count * width else {
            throw .invalidArgument("\(rowIDs.count) rows × width \(width) need \(rowIDs.count * width) floats, found \(rowValues.count)")
        }
        if let first = rowIDs.first, first < 0 { throw .invalidArgument("row id \(first) is negative") }
        for i in rowIDs.indices.dropFirst() where rowIDs[i - 1] >= rowIDs[i] {
            throw .invalidArgument("row ids must be strictly increasing: \(rowIDs[i - 1]) then \(rowIDs[i]) at index \(i)")
        }
        self.init(unchecked: dense, rowIDs: rowIDs, rowValues: rowValues, width: width)
    }

    init(unchecked dense: [Float], rowIDs: [Int32], rowValues: [Float], width: Int) {
        self.dense = dense
        self.rowIDs = rowIDs
        self.rowValues = rowValues
        self.width = width
    }

    /// Number of sparse rows `R`.
    public var rowCount: Int { rowIDs.count }

    /// Whether `other` can be combined with this payload: same dense length and row width.
    public func hasSameShape(as other: GradientPayload) -> Bool {
        dense.count == other.dense.count && width == other.width
    }

    /// Adds this payload, the RIGHT operand, into `left`: `left = left + self` as defined above.
    ///
    /// The dense part is added in place in `left`'s buffer (no copy when `left` is uniquely referenced). Rows are
    /// merged into new buffers unless one side has none, in which case the other side's buffers are moved.
    /// - Precondition: `hasSameShape(as: left)`; `TreeReducer` checks this and throws instead.
    public consuming func combine(into left: inout GradientPayload) {
        precondition(hasSameShape(as: left),
                     "combining payloads of different shapes: dense \(left.dense.count) vs \(dense.count), width \(left.width) vs \(width)")
        Self.addDense(dense, into: &left.dense)
        if rowIDs.isEmpty { return }
        if left.rowIDs.isEmpty {
            left.rowIDs = rowIDs
            left.rowValues = rowValues
            return
        }
        let merged = RowMerge(left: left, right: self)
        left.rowIDs = merged.rowIDs
        left.rowValues = merged.rowValues
    }

    private static func addDense(_ right: [Float], into left: inout [Float]) {
        let count = left.count
        left.withUnsafeMutableBufferPointer { l in
            right.withUnsafeBufferPointer { r in
                guard let lp = l.baseAddress, let rp = r.baseAddress else { return }
                for i in 0..<count { lp[i] += rp[i] }
            }
        }
    }
}

/// The row union of two payloads, in increasing row id order; rows on both sides are added (left + right).
private struct RowMerge {
    var rowIDs: [Int32] = []
    var rowValues: [Float] = []

    init(left: GradientPayload, right: GradientPayload) {
        let width = left.width
        let (ids, sources) = Self.mergeIDs(left.rowIDs, right.rowIDs)
        rowIDs = ids
        guard width > 0 else { return }
        rowValues = [Float](unsafeUninitializedCapacity: ids.count * width) { out, initialized in
            left.rowValues.withUnsafeBufferPointer { lv in
                right.rowValues.withUnsafeBufferPointer { rv in
                    guard let o = out.baseAddress else { return }
                    for (k, source) in sources.enumerated() {
                        let target = o + k * width
                        switch source {
                        case let .left(i): target.initialize(from: lv.baseAddress! + i * width, count: width)
                        case let .right(j): target.initialize(from: rv.baseAddress! + j * width, count: width)
                        case let .both(i, j):
                            let a = lv.baseAddress! + i * width, b = rv.baseAddress! + j * width
                            for c in 0..<width { (target + c).initialize(to: a[c] + b[c]) }
                        }
                    }
                }
            }
            initialized = ids.count * width
        }
    }

    private enum Source { case left(Int), right(Int), both(Int, Int) }

    /// Two-pointer merge of sorted id lists: the union, and where each output row comes from.
    private static func mergeIDs(_ a: [Int32], _ b: [Int32]) -> ([Int32], [Source]) {
        var ids: [Int32] = [], sources: [Source] = []
        ids.reserveCapacity(a.count + b.count)
        sources.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                ids.append(a[i]); sources.append(.left(i)); i += 1
            } else if i == a.count || b[j] < a[i] {
                ids.append(b[j]); sources.append(.right(j)); j += 1
            } else {
                ids.append(a[i]); sources.append(.both(i, j)); i += 1; j += 1
            }
        }
        return (ids, sources)
    }
}
