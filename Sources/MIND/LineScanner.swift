#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file in large chunks and hands out its lines as byte buffers, in constant memory
/// (the buffer grows only when a single line is longer than it).
///
/// Lines end at `\n`; a trailing `\r` is removed, a missing final newline is accepted, and a UTF-8 byte order
/// mark at the start of the file is skipped. The buffer passed to `body` is valid only during the call.
enum LineScanner {
    static let defaultChunkSize = 1 << 22

    /// Calls `body(bytes, lineNumber)` for every line of the file at `path` (line numbers are 1-based).
    static func forEachLine(path: String, chunkSize: Int = defaultChunkSize,
                            _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw MINDFormatError(file: path, line: 0, expected: "a readable file (\(systemError(errno)))")
        }
        defer { close(descriptor) }

        var capacity = max(chunkSize, 16)
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var start = 0          // first byte of the current (unfinished) line
        var end = 0            // one past the last valid byte
        var scanned = 0        // bytes in [start, scanned) are known to hold no newline
        var lineNumber = 0
        var atEndOfFile = false

        func emit(_ lineStart: Int, _ lineEnd: Int) throws {
            var from = lineStart
            var to = lineEnd
            if to > from && buffer[to - 1] == UInt8(ascii: "\r") { to -= 1 }
            lineNumber += 1
            if lineNumber == 1 && to - from >= 3 && buffer[from] == 0xEF && buffer[from + 1] == 0xBB
                && buffer[from + 2] == 0xBF {
                from += 3
            }
            try body(UnsafeBufferPointer(start: buffer + from, count: to - from), lineNumber)
        }

        while true {
            if scanned < end, let found = memchr(buffer + scanned, Int32(UInt8(ascii: "\n")), end - scanned) {
                let newline = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self))
                try emit(start, newline)
                start = newline + 1
                scanned = start
                continue
            }
            scanned = end
            if atEndOfFile {
                if start < end { try emit(start, end) }
                return
            }
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
            let count = read(descriptor, buffer + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                throw MINDFormatError(file: path, line: lineNumber + 1,
                                      expected: "a readable file (\(systemError(errno)))")
            }
            if count == 0 { atEndOfFile = true } else { end += count }
        }
    }

    static func systemError(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Byte-level helpers shared by the readers.
enum Bytes {
    static let tab = UInt8(ascii: "\t")
    static let space = UInt8(ascii: " ")

    /// Splits `line` at every `separator` into `fields` (ranges of offsets), reusing its storage. Separators are
    /// found with `memchr`, so long fields cost little.
    @inline(__always)
    static func split(_ line: UnsafeBufferPointer<UInt8>, at separator: UInt8, into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        guard let base = line.baseAddress else {
            fields.append(0..<0)
            return
        }
        var fieldStart = 0
        let count = line.count
        while fieldStart < count, let found = memchr(base + fieldStart, Int32(separator), count - fieldStart) {
            let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            fields.append(fieldStart..<index)
            fieldStart = index + 1
        }
        fields.append(fieldStart..<count)
    }

    /// How many bytes of `range` in `line` equal `byte`.
    @inline(__always)
    static func count(_ byte: UInt8, in line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var count = 0
        for index in range { count &+= line[index] == byte ? 1 : 0 }
        return count
    }

    /// The UTF-8 text of `range` in `line` (invalid sequences are repaired with U+FFFD; the readers check lines
    /// with `TextCheck` first, so for them nothing is repaired).
    @inline(__always)
    static func string(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    }

    /// A byte for error messages: `'x'` when printable ASCII, else `byte 0xNN`.
    static func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + hex(byte)
    }

    /// Two uppercase hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// A short, printable quotation of `range` for error messages.
    static func quote(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, limit: Int = 40) -> String {
        let text = string(line, range)
        let shown = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + shown + "\""
    }
}
