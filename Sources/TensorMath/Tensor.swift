/// A contiguous, row-major buffer of `Float` with a shape, allocated once and 64-byte aligned.
///
/// `Tensor` is a reference type: layers keep their activations in tensors sized for the largest batch and
/// reuse them, writing only a prefix when a batch is smaller. Element access is `@inlinable`, but hot loops
/// should work on `pointer` directly.
///
/// Threading: a tensor may be shared between threads (`@unchecked Sendable`); callers guarantee that
/// concurrent writers touch disjoint elements and that nobody reads what another thread is writing.
public final class Tensor: @unchecked Sendable {
    /// The dimensions, outermost first (for example `[tokens, hidden]`).
    public let shape: [Int]
    /// The number of elements, the product of `shape`.
    public let count: Int
    /// The first element. Valid for `count` elements for the lifetime of the tensor.
    public let pointer: UnsafeMutablePointer<Float>

    /// A zero-filled tensor of the given shape.
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
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
        get { pointer[row * (count / max(shape.first ?? 1, 1)) + column] }
        set { pointer[row * (count / max(shape.first ?? 1, 1)) + column] = newValue }
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
