import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written through a large buffer into a temporary sibling and renamed into place by `close()`, so a
/// reader never sees a half-written file under its final name, and a failed run leaves the old file (or none).
///
/// Closing is the commit: a writer released without `close()` removes its temporary file.
public final class AtomicFileWriter {
    /// The final path.
    public let path: String
    private let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    private let flushSize: Int
    /// Bytes handed to the file so far (flushed or buffered).
    public private(set) var bytesWritten = 0

    /// Creates the temporary file next to `path`.
    /// - Parameter bufferSize: bytes collected before each write to the file.
    public init(path: String, bufferSize: Int = 4 << 20) throws {
        self.path = path
        flushSize = max(bufferSize, 1 << 12)
        temporaryPath = path + ".partial-\(getpid())"
        guard let handle = fopen(temporaryPath, "wb") else { throw FileError.system(path, "cannot create") }
        file = handle
        buffer.reserveCapacity(flushSize + (1 << 16))
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporaryPath)
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard file != nil else { throw FileError(path: path, reason: "write after close") }
        if bytes.count >= flushSize {
            try flush()
            try put(bytes)
        } else {
            buffer.append(contentsOf: bytes)
            if buffer.count >= flushSize { try flush() }
        }
        bytesWritten += bytes.count
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends `bytes`.
    public func write(_ bytes: ArraySlice<UInt8>) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends the UTF-8 bytes of `text`.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Flushes, closes and renames the file into place.
    public func close() throws {
        guard let handle = file else { return }
        try flush()
        file = nil
        guard fclose(handle) == 0 else {
            unlink(temporaryPath)
            throw FileError.system(path, "close failed")
        }
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw FileError.system(path, "rename failed")
        }
    }

    /// Writes `bytes` to `path` atomically in one call.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }

    /// Writes `data` to `url` atomically in one call. (Foundation's `Data.write(to:options: .atomic)` leaves an
    /// empty `TemporaryDirectory.*` folder in /tmp behind on Linux at every call.)
    public static func write(_ data: Data, to url: URL) throws {
        try data.withUnsafeBytes { try write($0, to: url.path) }
    }

    private static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        let writer = try AtomicFileWriter(path: path, bufferSize: bytes.count)
        try writer.write(bytes)
        try writer.close()
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { try put($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func put(_ bytes: UnsafeRawBufferPointer) throws {
        guard let file, !bytes.isEmpty else { return }
        let written = fwrite(bytes.baseAddress, 1, bytes.count, file)
        guard written == bytes.count else { throw FileError.system(path, "write failed") }
    }
}
