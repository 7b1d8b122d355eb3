/// A file could not be opened, read, written or moved into place.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path as given.
    public var path: String
    /// The 1-based line being read when reading failed, or nil.
    public var line: Int?
    /// What went wrong, with the system's message.
    public var reason: String

    public init(path: String, line: Int? = nil, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    /// The system message of `errno` (e.g. "No such file or directory"), after `what` when given.
    static func system(_ path: String, line: Int? = nil, _ what: String? = nil) -> FileError {
        let message = String(cString: strerror(errno))
        return FileError(path: path, line: line, reason: what.map { "\($0) (\(message))" } ?? message)
    }

    public var description: String {
        line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
