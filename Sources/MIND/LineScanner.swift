import Basics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MIND readers' view of `Basics.LineReader`: every line of a file, with an unreadable file reported as a
/// `MINDFormatError` naming the file (and the line when reading stopped part-way).
enum LineScanner {
    /// Calls `body(bytes, lineNumber)` for every line of the file at `path` (line numbers are 1-based).
    static func forEachLine(path: String, chunkSize: Int = LineReader.defaultChunkSize,
                            _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        do {
            try LineReader.forEachLine(path: path, chunkSize: chunkSize, body)
        } catch let error as FileError {
            throw MINDFormatError(file: path, line: error.line ?? 0, expected: "a readable file (\(error.reason))")
        }
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

    /// How many bytes of `range` in `line` equal `byte`, and whether two of them are adjacent. Looks at 8 bytes
    /// per step (SWAR), so a 2.5 KB GloVe row costs about 300 steps.
    static func occurrences(of byte: UInt8, in line: UnsafeBufferPointer<UInt8>,
                            _ range: Range<Int>) -> (count: Int, adjacent: Bool) {
        guard let base = line.baseAddress else { return (0, false) }
        let raw = UnsafeRawPointer(base)
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        var index = range.lowerBound
        var count = 0
        var pairs: UInt64 = 0      // high bit of a byte set: it and the next byte both match
        var previous: UInt64 = 0   // the match flags of the previous 8 bytes
        while index + 8 <= range.upperBound {
            var lanes: UInt64 = 0  // per-byte match counts; 31 steps keep their sum below 256
            let stop = min(range.upperBound, index + 8 * 31)
            while index + 8 <= stop {
                let difference = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ pattern
                // High bit of each byte set exactly where `difference` is zero, i.e. where the byte matches.
                let flags = ~(((difference & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | difference)
                    & 0x8080_8080_8080_8080
                pairs |= (flags & (flags >> 8)) | (flags & (previous >> 56))
                previous = flags
                lanes &+= flags >> 7
                index += 8
            }
            count += Int(truncatingIfNeeded: (lanes &* 0x0101_0101_0101_0101) >> 56)
        }
        var previousMatched = previous >> 63 != 0
        var adjacent = pairs != 0
        while index < range.upperBound {
            let matched = line[index] == byte
            if matched {
                count += 1
                adjacent = adjacent || previousMatched
            }
            previousMatched = matched
            index += 1
        }
        return (count, adjacent)
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
