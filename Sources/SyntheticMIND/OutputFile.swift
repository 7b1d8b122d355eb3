import Foundation

/// Why a synthetic dataset could not be generated.
public enum SyntheticMINDError: Error, Equatable, CustomStringConvertible {
    /// A configuration value is out of range; the message says which and what is allowed.
    case invalidConfiguration(String)
    /// A file or directory could not be created or written.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(message): return "invalid configuration: \(message)"
        case let .io(file, reason): return "\(file): \(reason)"
        }
    }
}

/// A file written through a large buffer into a temporary sibling and renamed into place by `close()`, so a
/// dataset directory never holds a half-written file under its final name.
final class OutputFile {
    let url: URL
    private let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    private(set) var bytesWritten = 0
    private static let flushSize = 4 << 20

    init(url: URL) throws {
        self.url = url
        temporaryPath = url.path + ".partial-\(getpid())"
        guard let handle = fopen(temporaryPath, "wb") else {
            throw SyntheticMINDError.io(file: url.path, reason: "cannot create (\(String(cString: strerror(errno))))")
        }
        file = handle
        buffer.reserveCapacity(Self.flushSize + (1 << 16))
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try write(bytes[...])
    }

    func write(_ bytes: ArraySlice<UInt8>) throws {
        if bytes.count >= Self.flushSize {
            try flush()
            try put(bytes)
        } else {
            buffer += bytes
            if buffer.count >= Self.flushSize { try flush() }
        }
    }

    func close() throws {
        guard let handle = file else { return }
        try flush()
        file = nil
        guard fclose(handle) == 0 else {
            unlink(temporaryPath)
            throw SyntheticMINDError.io(file: url.path, reason: "close failed (\(String(cString: strerror(errno))))")
        }
        guard rename(temporaryPath, url.path) == 0 else {
            unlink(temporaryPath)
            throw SyntheticMINDError.io(file: url.path, reason: "rename failed (\(String(cString: strerror(errno))))")
        }
    }

    private func flush() throws {
        try put(buffer[...])
        buffer.removeAll(keepingCapacity: true)
    }

    private func put(_ bytes: ArraySlice<UInt8>) throws {
        guard let file, !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else {
            throw SyntheticMINDError.io(file: url.path, reason: "write failed (\(String(cString: strerror(errno))))")
        }
        bytesWritten += written
    }
}
