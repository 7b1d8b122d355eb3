import Basics
import TensorMath

/// Gradients with the layout of `NRMSParameters`: dense for every tensor after the word embedding, and sparse
/// rows for the word embedding (only the rows of tokens in the batch are ever non-zero).
///
/// Memory and every operation (`zero`, `add`, `scale`, the optimizer's read) cost O(batch), not O(vocabulary): a
/// worker's gradient of a 65k × 300 embedding holds the few thousand rows its batch touched. Row values are added
/// in the same order as into a dense matrix, so the sparse storage changes no bit of the result.
///
/// Layers address the dense part through `denseBase`: `denseBase + offset` is the gradient of the parameter at
/// layout `offset` (every offset ≥ `layout.denseStart`).
public final class NRMSGradients: @unchecked Sendable {
    public let layout: ParameterLayout
    /// E: floats per word-embedding row.
    public let wordDimension: Int
    /// `[layout.count − layout.denseStart]`: the gradients of every parameter after the word embedding.
    public let dense: Tensor
    /// Word-embedding rows with a gradient, in the order they were first touched (`sortRows()` orders them).
    public private(set) var rows: [Int32] = []
    /// `[rows.count × E]`: the gradient of each row of `rows` (a prefix of the tensor).
    private let rowValues: Tensor
    /// For every vocabulary id, its index in `rows`, or -1.
    private var slots: [Int32]

    public init(layout: ParameterLayout) {
        self.layout = layout
        wordDimension = layout.entries[0].shape[1]
        dense = Tensor(shape: [layout.count - layout.denseStart])
        rowValues = Tensor(shape: [0, wordDimension])
        slots = Array(repeating: -1, count: layout.entries[0].shape[0])
        rows.reserveCapacity(4096)
    }

    /// The pointer such that `denseBase + offset` is the gradient of the parameter at layout `offset`
    /// (for offsets in `layout.denseStart ..< layout.count`).
    public var denseBase: UnsafeMutablePointer<Float> { dense.pointer - layout.denseStart }

    /// The gradient of word-embedding row `id` `[E]`, added (as zeros) when absent. The pointer is valid until
    /// the next row is added.
    public func row(_ id: Int32) -> UnsafeMutablePointer<Float> {
        let slot = slots[Int(id)]
        if slot >= 0 { return rowValues.pointer + Int(slot) * wordDimension }
        return addRow(id)
    }

    /// Makes sure every id of `ids` has a row (so that concurrent writers can then address rows without adding).
    public func reserveRows(_ ids: UnsafeBufferPointer<Int32>) {
        for id in ids where slots[Int(id)] < 0 { _ = addRow(id) }
    }

    /// The gradient of row `id` if it has one (never adds).
    public func existingRow(_ id: Int32) -> UnsafeMutablePointer<Float>? {
        let slot = slots[Int(id)]
        return slot >= 0 ? rowValues.pointer + Int(slot) * wordDimension : nil
    }

    /// The values of the `index`-th row of `rows`.
    public func rowValues(at index: Int) -> UnsafeMutablePointer<Float> { rowValues.pointer + index * wordDimension }

    private func addRow(_ id: Int32) -> UnsafeMutablePointer<Float> {
        let index = rows.count
        if index >= rowValues.rows {
            let kept = Array(UnsafeBufferPointer(start: rowValues.pointer, count: index * wordDimension))
            rowValues.reserve(rows: max(index + 1, 256))
            kept.withUnsafeBufferPointer { rowValues.pointer.update(from: $0.baseAddress!, count: $0.count) }
        }
        rows.append(id)
        slots[Int(id)] = Int32(index)
        let values = rowValues.pointer + index * wordDimension
        values.update(repeating: 0, count: wordDimension)
        return values
    }

    /// Replaces the contents by a complete gradient given as flat arrays: `dense [layout.count − denseStart]` and
    /// the rows `rowIDs` with `rowValues [rowIDs.count × E]`.
    public func assign(dense values: UnsafeBufferPointer<Float>, rowIDs: [Int32], rowValues values2: UnsafeBufferPointer<Float>) {
        precondition(values.count == dense.count && values2.count == rowIDs.count * wordDimension,
                     "a gradient of another shape")
        zero()
        dense.pointer.update(from: values.baseAddress!, count: values.count)
        for (index, id) in rowIDs.enumerated() {
            row(id).update(from: values2.baseAddress! + index * wordDimension, count: wordDimension)
        }
    }

    /// Sets every gradient to zero and forgets the embedding rows.
    public func zero() {
        for id in rows { slots[Int(id)] = -1 }
        rows.removeAll(keepingCapacity: true)
        dense.zero()
    }

    /// Adds `other` (for example another shard's gradients) into this buffer: dense parts elementwise, embedding
    /// rows by id (rows only `other` has are added in `other`'s order).
    public func add(_ other: NRMSGradients) {
        precondition(other.layout == layout)
        for (index, id) in other.rows.enumerated() {
            VectorMath.add(other.rowValues(at: index), into: row(id), count: wordDimension)
        }
        VectorMath.add(other.dense.pointer, into: dense.pointer, count: dense.count)
    }

    /// Multiplies every gradient by `factor`.
    public func scale(by factor: Float) {
        VectorMath.scale(rowValues.pointer, by: factor, count: rows.count * wordDimension)
        VectorMath.scale(dense.pointer, by: factor, count: dense.count)
    }

    /// Orders `rows` (and their values) by id, so the sparse part has one canonical form whatever the token order.
    public func sortRows() {
        let order = rows.indices.sorted { rows[$0] < rows[$1] }
        guard order != Array(rows.indices) else { return }
        let values = Array(UnsafeBufferPointer(start: rowValues.pointer, count: rows.count * wordDimension))
        let ids = rows
        for (index, source) in order.enumerated() {
            rows[index] = ids[source]
            slots[Int(ids[source])] = Int32(index)
            values.withUnsafeBufferPointer {
                (rowValues.pointer + index * wordDimension).update(from: $0.baseAddress! + source * wordDimension,
                                                                  count: wordDimension)
            }
        }
    }

    /// The gradient at flat layout index `index` (word-embedding rows without a gradient read as 0; writing one
    /// adds the row).
    public subscript(index: Int) -> Float {
        get {
            if index >= layout.denseStart { return dense[index - layout.denseStart] }
            return existingRow(Int32(index / wordDimension)).map { $0[index % wordDimension] } ?? 0
        }
        set {
            if index >= layout.denseStart {
                dense[index - layout.denseStart] = newValue
            } else {
                row(Int32(index / wordDimension))[index % wordDimension] = newValue
            }
        }
    }

    /// Every gradient as one dense array in layout order (for tests and checks; O(parameters)).
    public func flatValues() -> [Float] {
        var values = [Float](repeating: 0, count: layout.count)
        for (index, id) in rows.enumerated() {
            for j in 0..<wordDimension { values[Int(id) * wordDimension + j] = rowValues(at: index)[j] }
        }
        for i in 0..<dense.count { values[layout.denseStart + i] = dense[i] }
        return values
    }

    /// The gradient of the tensor named `name` (a PyTorch state-dict key), dense.
    public func tensor(named name: String) -> [Float]? {
        layout.entry(named: name).map { Array(flatValues()[$0.offset ..< $0.offset + $0.count]) }
    }
}
