import Basics
import Foundation

/// A safetensors file (https://github.com/huggingface/safetensors) holding little-endian F32 tensors.
///
/// Layout: 8-byte little-endian header length `n`, `n` bytes of JSON
/// `{"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}`,
/// then the data buffer; offsets are relative to the buffer, and the tensors must tile it exactly.
public struct SafeTensors: Sendable {
    /// One tensor: row-major values and shape.
    public struct Entry: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            self.values = values
        }
    }

    /// Tensor names in file order.
    public private(set) var names: [String] = []
    private var entries: [String: Entry] = [:]
    /// Free-form string metadata (`__metadata__`).
    public var metadata: [String: String] = [:]

    public init() {}

    /// The tensor named `name`, or nil.
    public subscript(name: String) -> Entry? { entries[name] }

    /// Adds (or replaces) a tensor; `values.count` must equal the product of `shape`.
    public mutating func set(_ name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for shape \(shape)")
        if entries[name] == nil { names.append(name) }
        entries[name] = Entry(shape: shape, values: values)
    }

    /// Adds a tensor copied from a buffer.
    public mutating func set(_ name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
        set(name, shape: shape, values: Array(values))
    }

    // MARK: - Encoding

    /// The file contents.
    public func encoded() throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for name in names {
            let entry = entries[name]!
            let bytes = entry.values.count * 4
            header[name] = ["dtype": "F32", "shape": entry.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names {
            entries[name]!.values.withUnsafeBytes { data.append(contentsOf: $0) }   // x86/ARM: little-endian
        }
        return data
    }

    /// Writes the file atomically (temporary file in the same directory, then rename).
    public func write(to url: URL) throws {
        try AtomicFileWriter.write(encoded(), to: url)
    }

    // MARK: - Decoding

    /// Reads and validates a safetensors file. Only F32 tensors are accepted.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ModelError.invalidFile(path: url.path, expected: "a readable safetensors file (\(error.localizedDescription))")
        }
        try self.init(data: data, path: url.path)
    }

    /// Parses safetensors bytes; `path` names the source in errors.
    public init(data: Data, path: String = "<memory>") throws {
        func fail(_ expected: String) -> ModelError { .invalidFile(path: path, expected: expected) }
        guard data.count >= 8 else { throw fail("at least 8 bytes (header length), found \(data.count)") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8), headerLength <= 100_000_000 else {
            throw fail("a header length ≤ \(data.count - 8) bytes, found \(headerLength)")
        }
        let headerStart = data.startIndex + 8, dataStart = headerStart + Int(headerLength)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data[headerStart..<dataStart])
        } catch {
            throw fail("a JSON header (\(error.localizedDescription))")
        }
        guard let header = object as? [String: Any] else { throw fail("a JSON object as header") }
        let bufferSize = data.count - 8 - Int(headerLength)
        var ranges: [(begin: Int, end: Int, name: String)] = []
        var parsed: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let metadata = value as? [String: String] else {
                    throw fail("__metadata__ to map strings to strings")
                }
                self.metadata = metadata
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("an object for tensor \(name)") }
            guard let dtype = info["dtype"] as? String else { throw fail("a dtype string for tensor \(name)") }
            guard dtype == "F32" else { throw fail("dtype F32 for tensor \(name), found \(dtype)") }
            guard let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  shape.count == (info["shape"] as? [Any])?.count, shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("a shape of non-negative integers for tensor \(name)")
            }
            guard let offsets = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2 else {
                throw fail("data_offsets [begin, end] for tensor \(name)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= bufferSize else {
                throw fail("data_offsets of \(name) within the \(bufferSize)-byte data buffer, found [\(begin), \(end)]")
            }
            let elements = shape.reduce(1, *)
            guard end - begin == elements * 4 else {
                throw fail("\(elements * 4) bytes for F32 tensor \(name) of shape \(shape), found \(end - begin)")
            }
            ranges.append((begin, end, name))
            parsed.append((name, shape, begin, end))
        }
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var position = 0
        for range in ranges {
            guard range.begin == position else {
                throw fail("tensors to tile the data buffer; \(range.name) starts at \(range.begin), previous ends at \(position)")
            }
            position = range.end
        }
        guard position == bufferSize else {
            throw fail("tensors to cover the \(bufferSize)-byte data buffer, they end at \(position)")
        }
        parsed.sort { $0.begin < $1.begin }
        for tensor in parsed {
            let count = (tensor.end - tensor.begin) / 4
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { destination in
                data.withUnsafeBytes { source in
                    destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[(8 + Int(headerLength) + tensor.begin)..<(8 + Int(headerLength) + tensor.end)]))
                }
            }
            names.append(tensor.name)
            entries[tensor.name] = Entry(shape: tensor.shape, values: values)
        }
    }
}
