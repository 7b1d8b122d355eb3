import Basics

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

    /// Splits `line` at every `separator` into `fields` (ranges of offsets), reusing its storage.
    @inline(__always)
    static func split(_ line: UnsafeBufferPointer<UInt8>, at separator: UInt8, into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        var fieldStart = 0
        var index = 0
        let count = line.count
        while index < count {
            if line[index] == separator {
                fields.append(fieldStart..<index)
                fieldStart = index + 1
            }
            index += 1
        }
        fields.append(fieldStart..<count)
    }

    /// The UTF-8 text of `range` in `line` (invalid sequences are repaired with U+FFFD).
    @inline(__always)
    static func string(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    }

    /// A short, printable quotation of `range` for error messages.
    static func quote(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, limit: Int = 40) -> String {
        let text = string(line, range)
        let shown = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + shown + "\""
    }
}
