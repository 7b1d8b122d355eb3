#if !_endian(little)
#error("The gradient payload format stores raw little-endian floats; big-endian hosts are not supported.")
#endif

/// Writes fixed-width little-endian values into a buffer of exactly known size.
///
/// Floats and row ids are copied as raw bytes (the host is little-endian, checked at compile time), so
/// encoding preserves every bit, including −0.0.
struct ByteWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var offset = 0

    /// Allocates `count` bytes, lets `body` fill them, and checks that it wrote exactly `count`.
    static func encode(count: Int, _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
            var writer = ByteWriter(buffer: UnsafeMutableRawBufferPointer(storage))
            body(&writer)
            precondition(writer.offset == count, "encoder wrote \(writer.offset) bytes, announced \(count)")
            initialized = count
        }
    }

    private init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        buffer.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }

    /// Copies the raw bytes of `values` (`[Float]` or `[Int32]`).
    mutating func write<T: BitwiseCopyable>(contentsOf values: [T]) {
        let byteCount = values.count * MemoryLayout<T>.stride
        values.withUnsafeBytes { source in
            if byteCount > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + byteCount]).copyMemory(from: source)
            }
        }
        offset += byteCount
    }
}

/// Reads what `ByteWriter` wrote, checking every length against the bytes that remain.
struct ByteReader {
    private let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    /// Bytes not read yet.
    var remaining: Int { buffer.count - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws(DistributedError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw .malformedPayload("\(what): needs \(size) bytes at offset \(offset), \(remaining) remain")
        }
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// Reads an unsigned 64-bit count and checks that it fits in `Int`.
    mutating func readCount(_ what: String) throws(DistributedError) -> Int {
        let value = try read(UInt64.self, what)
        guard value <= UInt64(Int.max) else { throw .malformedPayload("\(what): \(value) is out of range") }
        return Int(value)
    }

    /// Reads `count` values of `T` (`Float` or `Int32`) as raw bytes.
    mutating func readArray<T: BitwiseCopyable>(of _: T.Type, count: Int, _ what: String) throws(DistributedError) -> [T] {
        let stride = MemoryLayout<T>.stride
        guard count >= 0, count <= remaining / stride else {
            throw .malformedPayload("\(what): \(count) values at offset \(offset) exceed the \(remaining) bytes left")
        }
        let source = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count * stride])
        offset += count * stride
        return [T](unsafeUninitializedCapacity: count) { storage, initialized in
            UnsafeMutableRawBufferPointer(storage).copyMemory(from: source)
            initialized = count
        }
    }
}
