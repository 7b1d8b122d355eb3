#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file in large chunks and hands out its lines as byte buffers, in constant memory (the buffer grows
/// only when a single line is longer than it). The one line reader of newsrec: MIND files, vector files,
/// vocabularies, click files and leaderboard files all go through it.
///
/// Lines end at `\n`; a trailing `\r` is removed, a missing final newline is accepted, and a UTF-8 byte order
/// mark at the start of the file is skipped. A line buffer is valid only until the next call of `next()`.
public final class LineReader {
    /// The default chunk size: 4 MiB.
    public static let defaultChunkSize = 1 << 22

    /// The path as given.
    public let path: String
    /// The 1-based number of the line last returned (0 before the first).
    public private(set) var lineNumber = 0
    private let descriptor: Int32
    private var capacity: Int
    private var buffer: UnsafeMutablePointer<UInt8>
    private var start = 0          // first byte of the current (unfinished) line
    private var end = 0            // one past the last valid byte
    private var scanned = 0        // bytes in [start, scanned) are known to hold no newline
    private var atEndOfFile = false

    /// Opens the file at `path`.
    /// - Throws: `FileError` when it cannot be opened.
    public init(path: String, chunkSize: Int = defaultChunkSize) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw FileError.system(path) }
        self.path = path
        self.descriptor = descriptor
        capacity = max(chunkSize, 16)
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// The next line without its end-of-line bytes, or nil at the end of the file.
    /// - Throws: `FileError` (with the line number) when reading fails.
    public func next() throws -> UnsafeBufferPointer<UInt8>? {
        while true {
            if scanned < end, let found = memchr(buffer + scanned, Int32(UInt8(ascii: "\n")), end - scanned) {
                let newline = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let line = emit(start, newline)
                start = newline + 1
                scanned = start
                return line
            }
            scanned = end
            if atEndOfFile {
                guard start < end else { return nil }
                let line = emit(start, end)
                start = end
                return line
            }
            try refill()
        }
    }

    /// Calls `body(line, lineNumber)` for every line of the file at `path`.
    public static func forEachLine(path: String, chunkSize: Int = defaultChunkSize,
                                   _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        let reader = try LineReader(path: path, chunkSize: chunkSize)
        while let line = try reader.next() { try body(line, reader.lineNumber) }
    }

    private func emit(_ lineStart: Int, _ lineEnd: Int) -> UnsafeBufferPointer<UInt8> {
        var from = lineStart
        var to = lineEnd
        if to > from && buffer[to - 1] == UInt8(ascii: "\r") { to -= 1 }
        lineNumber += 1
        if lineNumber == 1 && to - from >= 3 && buffer[from] == 0xEF && buffer[from + 1] == 0xBB
            && buffer[from + 2] == 0xBF {
            from += 3
        }
        return UnsafeBufferPointer(start: buffer + from, count: to - from)
    }

    /// Moves the unfinished line to the front (or grows the buffer) and reads the next chunk.
    private func refill() throws {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            end = pending
            scanned = pending
            start = 0
        } else if end == capacity {
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity *= 2
        }
        while true {
            let count = read(descriptor, buffer + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError.system(path, line: lineNumber + 1, "read failed")
            }
            if count == 0 { atEndOfFile = true } else { end += count }
            return
        }
    }
}
