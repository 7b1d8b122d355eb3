/// A contiguous, row-major buffer of `Float` with a shape, allocated once and 64-byte aligned.
///
/// `Tensor` is a reference type: layers keep their activations in tensors and reuse them from batch to batch,
/// writing only a prefix when a batch is smaller; `reserve(rows:)` grows a tensor when a batch needs more rows, so
/// memory follows the data rather than the largest possible batch. Element access is `@inlinable`, but hot loops
/// should work on `pointer` directly (and fetch it again after a `reserve`).
///
/// Threading: a tensor may be shared between threads (`@unchecked Sendable`); callers guarantee that
/// concurrent writers touch disjoint elements and that nobody reads what another thread is writing.
public final class Tensor: @unchecked Sendable {
    /// The dimensions, outermost first (for example `[tokens, hidden]`).
    public private(set) var shape: [Int]
    /// The number of elements, the product of `shape`.
    public private(set) var count: Int
    /// The first element. Valid for `count` elements until the tensor is released or grown by `reserve`.
    public private(set) var pointer: UnsafeMutablePointer<Float>

    /// A zero-filled tensor of the given shape.
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        pointer = Self.allocate(count)
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        let pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        return pointer
    }

    /// The number of rows (the first dimension).
    @inlinable public var rows: Int { shape.first ?? 1 }

    /// Makes room for at least `rows` rows (first dimension; the other dimensions stay). When it grows, the tensor
    /// gets fresh zeroed memory for `max(rows, 1.5 × the old rows)` rows and loses its contents: call it before a
    /// batch's forward pass, never between forward and backward.
    public func reserve(rows needed: Int) {
        guard needed > rows else { return }
        let grown = max(needed, rows + rows / 2)
        UnsafeMutableRawPointer(pointer).deallocate()
        shape[0] = grown
        count = shape.reduce(1, *)
        pointer = Self.allocate(count)
    }

    /// A tensor holding a copy of `values`, which must have `shape.reduce(1, *)` elements.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// The elements as a buffer pointer.
    @inlinable public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    /// The element at flat (row-major) index `index`.
    @inlinable public subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    /// The element at `[row, column]` of a tensor viewed as `[shape[0] × rest]`.
    @inlinable public subscript(row: Int, column: Int) -> Float {
        get { pointer[row * (count / max(rows, 1)) + column] }
        set { pointer[row * (count / max(rows, 1)) + column] = newValue }
    }

    /// A copy of all elements.
    public func toArray() -> [Float] { Array(buffer) }

    /// A copy of the first `count` elements.
    public func toArray(prefix count: Int) -> [Float] {
        precondition(count <= self.count)
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// Sets the first `count` elements to zero.
    public func zero(prefix count: Int) {
        precondition(count <= self.count)
        pointer.update(repeating: 0, count: count)
    }
}

/// A growable buffer of `Int32` indices (token ids, offsets, rows) at a stable address: layers keep pointers into it
/// from `forward` to `backward`, which a Swift array does not promise.
public final class IndexBuffer: @unchecked Sendable {
    /// The first element; valid for `count` elements until the next `assign`.
    public private(set) var pointer: UnsafeMutablePointer<Int32>
    /// The number of elements in use.
    public private(set) var count = 0
    private var capacity: Int

    public init() {
        capacity = 16
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }

    /// The elements in use.
    public var buffer: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: pointer, count: count) }

    /// Replaces the contents by `values`.
    public func assign(_ values: [Int32]) {
        if values.count > capacity {
            pointer.deallocate()
            capacity = max(values.count, capacity + capacity / 2)
            pointer = .allocate(capacity: capacity)
        }
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
        count = values.count
    }
}
