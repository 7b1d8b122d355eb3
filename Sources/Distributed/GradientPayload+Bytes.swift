import Basics

/// Byte encoding of a `GradientPayload`, little-endian, every float bit preserved:
///
/// ```
/// UInt64 D, UInt64 R, UInt64 width, D × Float32 dense, R × Int32 row ids, R × width × Float32 row values
/// ```
/// Every section length is a multiple of 4 bytes, so floats stay 4-byte aligned relative to the start.
extension GradientPayload {
    /// Bytes of the header (three `UInt64`).
    static let headerByteCount = 3 * MemoryLayout<UInt64>.size

    /// Size of `encoded()` in bytes: 24 + 4·D + 4·R + 4·R·width.
    public var encodedByteCount: Int {
        Self.headerByteCount + 4 * (dense.count + rowIDs.count + rowValues.count)
    }

    /// The payload as bytes (see the format above).
    public func encoded() -> [UInt8] {
        ByteWriter.encode(count: encodedByteCount) { encode(into: &$0) }
    }

    /// Decodes `encoded()` output, checking lengths and row order; extra bytes after the payload are an error.
    public init(decoding bytes: [UInt8]) throws(DistributedError) {
        let result = bytes.withUnsafeBytes { raw -> Result<GradientPayload, DistributedError> in
            var reader = ByteReader(raw)
            return Result { () throws(DistributedError) in
                let payload = try GradientPayload(reading: &reader)
                guard reader.remaining == 0 else {
                    throw .malformedPayload("\(reader.remaining) bytes after the payload")
                }
                return payload
            }
        }
        self = try result.get()
    }

    /// FNV-1a 64 of `encoded()`: a cheap way for ranks and tests to compare results bit for bit.
    public var fingerprint: UInt64 {
        var hash = FNV1a64()
        hash.combine(encoded())
        return hash.value
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(UInt64(dense.count))
        writer.write(UInt64(rowIDs.count))
        writer.write(UInt64(width))
        writer.write(contentsOf: dense)
        writer.write(contentsOf: rowIDs)
        writer.write(contentsOf: rowValues)
    }

    init(reading reader: inout ByteReader) throws(DistributedError) {
        let denseCount = try reader.readCount("dense length")
        let rowCount = try reader.readCount("row count")
        let width = try reader.readCount("row width")
        let dense = try reader.readArray(of: Float.self, count: denseCount, "dense floats")
        let ids = try reader.readArray(of: Int32.self, count: rowCount, "row ids")
        let (valueCount, overflow) = rowCount.multipliedReportingOverflow(by: width)
        guard !overflow else { throw .malformedPayload("\(rowCount) rows × width \(width) overflows") }
        let values = try reader.readArray(of: Float.self, count: valueCount, "row floats")
        do {
            try self.init(dense: dense, rowIDs: ids, rowValues: values, width: width)
        } catch {
            throw .malformedPayload(error.description)
        }
    }
}
