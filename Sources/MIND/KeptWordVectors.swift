import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of a vocabulary a GloVe file covered: the report of `WordVectors(contentsOf:keeping:)`.
public struct WordVectorCoverage: Sendable, Hashable, CustomStringConvertible {
    /// Words asked for (the size of the vocabulary).
    public var wanted: Int
    /// Wanted words that have a row in the file (each kept once).
    public var found: Int
    /// Up to 10 wanted words without a row, in sorted order.
    public var missingExamples: [String]
    /// Non-empty lines read.
    public var rows: Int
    /// Malformed lines passed to `onBadLine`, which returned (skipped).
    public var skippedRows: Int
    /// Rows whose word is not valid UTF-8: they cannot match a `String` of the vocabulary and are ignored.
    public var undecodableRows: Int
    /// Rows of a wanted word after its first row (ignored: the first row wins). Swift compares strings by
    /// canonical equivalence, so an NFC and an NFD spelling of a word are the same word.
    public var repeatedRows: Int

    /// Wanted words without a row.
    public var missing: Int { wanted - found }
    /// `found / wanted` (1 for an empty vocabulary).
    public var fraction: Double { wanted == 0 ? 1 : Double(found) / Double(wanted) }

    public init(wanted: Int, found: Int, missingExamples: [String], rows: Int, skippedRows: Int,
                undecodableRows: Int, repeatedRows: Int) {
        self.wanted = wanted
        self.found = found
        self.missingExamples = missingExamples
        self.rows = rows
        self.skippedRows = skippedRows
        self.undecodableRows = undecodableRows
        self.repeatedRows = repeatedRows
    }

    /// E.g. `found 28512 of 30000 words (95.0%), 1488 missing (e.g. "foo", "bar"); 2196017 rows read`.
    public var description: String {
        var text = "found \(found) of \(wanted) words (" + String(format: "%.1f%%", fraction * 100) + ")"
        if missing > 0 {
            text += ", \(missing) missing (e.g. " + missingExamples.map { "\"\($0)\"" }.joined(separator: ", ") + ")"
        }
        text += "; \(rows) rows read"
        if skippedRows > 0 { text += ", \(skippedRows) malformed rows skipped" }
        if undecodableRows > 0 { text += ", \(undecodableRows) rows with a word that is not UTF-8" }
        if repeatedRows > 0 { text += ", \(repeatedRows) repeated rows of wanted words ignored" }
        return text
    }
}

extension WordVectors {
    /// Streams a GloVe text file and keeps only the rows of `words`, in file order. Extra memory is the kept
    /// vectors plus a 4 MB read buffer, whatever the size of the file (glove.840B.300d is 5.6 GB).
    ///
    /// A row is `word v1 … vd`, single spaces, one trailing space allowed; the LAST d fields are the vector and
    /// the rest is the word, which may contain spaces (glove.840B has `. . .`). d is `dimension` or, when nil, the
    /// number of fields after the first of the first row.
    ///
    /// Every row is checked for its structure: at least d + 1 fields, no empty field among the last d, a non-empty
    /// word. The numbers are parsed only for wanted words, so a row of another word with a value that is not a
    /// number goes unnoticed. A wanted word's row must hold d finite decimal numbers. Later rows of a word already
    /// kept are ignored and counted in `coverage.repeatedRows`; rows whose word is not valid UTF-8 are counted in
    /// `coverage.undecodableRows`.
    ///
    /// - Throws: `MINDFormatError` naming the line for a malformed row (unless `onBadLine` returns, which skips the
    ///   row), or naming the file when it holds no row.
    public init(contentsOf url: URL, keeping words: Set<String>, dimension: Int? = nil,
                onBadLine: (MINDFormatError) throws -> Void = { throw $0 }) throws {
        var filter = WordVectorFilter(path: url.path, wanted: words, dimension: dimension)
        try LineScanner.forEachLine(path: url.path) { bytes, line in
            if bytes.isEmpty { return }
            do {
                try filter.add(bytes, line: line)
            } catch let error as MINDFormatError {
                filter.skippedRows += 1
                try onBadLine(error)
            }
        }
        guard let dimension = filter.dimension, filter.rows > filter.skippedRows else {
            throw MINDFormatError(file: url.path, line: 0, expected: "at least one word with its vector, found none")
        }
        self.init(table: VectorTable(dimension: dimension, keys: filter.keys, values: filter.values),
                  coverage: filter.coverage())
    }
}

/// The state of `WordVectors(contentsOf:keeping:)`: checks each row, keeps the wanted ones.
struct WordVectorFilter {
    let path: String
    let wanted: Set<String>
    private(set) var dimension: Int?
    private(set) var keys: [String] = []
    private(set) var values: [Float] = []
    private var keptWords: Set<String> = []   // the words of `keys`
    private var scratch: [CChar] = []   // for numbers that need strtof
    private(set) var rows = 0
    var skippedRows = 0
    private var undecodableRows = 0
    private var repeatedRows = 0

    init(path: String, wanted: Set<String>, dimension: Int?) {
        self.path = path
        self.wanted = wanted
        self.dimension = dimension
        if let dimension { values.reserveCapacity(min(wanted.count, 100_000) * dimension) }
    }

    private func failure(_ line: Int, _ expected: String) -> MINDFormatError {
        MINDFormatError(file: path, line: line, expected: expected)
    }

    /// Checks one non-empty row and keeps it when its word is wanted and new.
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws {
        rows += 1
        let end = bytes[bytes.count - 1] == Bytes.space ? bytes.count - 1 : bytes.count
        let dimension = try self.dimension ?? firstRowDimension(bytes, end: end, line: line)
        let boundary = try wordEnd(bytes, end: end, dimension: dimension, line: line)
        if self.dimension == nil {
            // The first well-formed row sets the dimension.
            self.dimension = dimension
            values.reserveCapacity(min(wanted.count, 100_000) * dimension)
        }
        guard let word = String(validating: UnsafeBufferPointer(rebasing: bytes[..<boundary]), as: UTF8.self) else {
            undecodableRows += 1
            return
        }
        guard wanted.contains(word) else { return }
        guard !keptWords.contains(word) else {
            repeatedRows += 1
            return
        }
        try parseVector(bytes, from: boundary + 1, to: end, dimension: dimension, line: line)
        keptWords.insert(word)
        keys.append(word)
    }

    /// The number of fields after the first of the first row, which becomes the dimension.
    private func firstRowDimension(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, line: Int) throws -> Int {
        let fields = Bytes.occurrences(of: Bytes.space, in: bytes, 0..<end).count
        guard fields > 0 else {
            throw failure(line, "a word followed by space-separated numbers, found no numbers")
        }
        return fields
    }

    /// The offset of the space before the last `dimension` fields of `bytes[..<end]`, checking that there are
    /// that many non-empty fields and a non-empty word before them. Counts spaces in one pass over the row and
    /// finds the word's end with `memchr` (a word with k spaces needs k + 1 calls).
    private func wordEnd(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, dimension: Int, line: Int) throws -> Int {
        let spaces = Bytes.occurrences(of: Bytes.space, in: bytes, 0..<end)
        guard spaces.count >= dimension else {
            throw failure(line, "\(dimension) space-separated numbers after the word (the dimension of the "
                + "first row), found \(spaces.count)")
        }
        let base = bytes.baseAddress!
        var boundary = -1
        for _ in 0...(spaces.count - dimension) {
            let found = memchr(base + boundary + 1, Int32(Bytes.space), end - boundary - 1)!
            boundary = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        guard boundary > 0 else { throw failure(line, "a word before the \(dimension) numbers, found none") }
        // Two spaces in a row are allowed inside a word, not among the numbers (an empty field).
        if spaces.adjacent || bytes[end - 1] == Bytes.space, let empty = (boundary..<end).first(where: {
            bytes[$0] == Bytes.space && ($0 == end - 1 || bytes[$0 + 1] == Bytes.space)
        }) {
            throw failure(line, "\(dimension) numbers after the word, separated by single spaces, found an empty "
                + "field after byte \(empty + 1)")
        }
        return boundary
    }

    /// Appends the `dimension` numbers of `bytes[start..<end]` (single-space separated, non-empty) to `values`.
    private mutating func parseVector(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                                      dimension: Int, line: Int) throws {
        let first = values.count
        var fieldStart = start
        for field in 0..<dimension {
            var fieldEnd = fieldStart
            while fieldEnd < end && bytes[fieldEnd] != Bytes.space { fieldEnd += 1 }
            let range = fieldStart..<fieldEnd
            guard let value = DecimalFloat.parse(bytes, range, scratch: &scratch), value.isFinite else {
                values.removeSubrange(first...)
                throw failure(line, "a finite number in field \(field + 2), found " + Bytes.quote(bytes, range))
            }
            values.append(value)
            fieldStart = fieldEnd + 1
        }
    }

    /// The report, with up to 10 missing words in sorted order.
    func coverage() -> WordVectorCoverage {
        let missing = wanted.lazy.filter { !keptWords.contains($0) }.sorted().prefix(10)
        return WordVectorCoverage(wanted: wanted.count, found: keys.count, missingExamples: Array(missing),
                                  rows: rows, skippedRows: skippedRows, undecodableRows: undecodableRows,
                                  repeatedRows: repeatedRows)
    }
}

/// Decimal numbers of word-vector files as `Float`, rounded exactly as `strtof` rounds them.
enum DecimalFloat {
    /// Exact powers of ten in `Float` (10^10 = 2^10 · 5^10 and 5^10 < 2^24).
    static let powers: [Float] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    /// The number filling `bytes[range]`, or nil when it is not a number.
    ///
    /// Common GloVe values (`-0.082752`, `3.8516e-06`: at most 7 significant digits and a power of ten within
    /// ±10) take Clinger's fast path: the digits as an exact `Float` times or divided by an exact power of ten,
    /// one correctly rounded operation, hence the same value as `strtof`. Anything else is handed to `strtof`.
    @inline(__always)
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, scratch: inout [CChar]) -> Float? {
        if let value = fastPath(bytes, range) { return value }
        return viaStrtof(bytes, range, scratch: &scratch)
    }

    @inline(__always)
    static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Float? {
        var index = range.lowerBound
        let end = range.upperBound
        let negative = index < end && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt32 = 0
        var digits = 0
        var fraction = 0
        var sawPoint = false
        var sawDigit = false
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else if byte &- UInt8(ascii: "0") < 10 {
                sawDigit = true
                if mantissa > 0 || byte != UInt8(ascii: "0") { digits += 1 }
                guard digits <= 7 else { return nil }
                mantissa = mantissa &* 10 &+ UInt32(byte &- UInt8(ascii: "0"))
                if sawPoint { fraction += 1 }
            } else {
                break
            }
            index += 1
        }
        var exponent = -fraction
        if index < end {
            guard bytes[index] | 0x20 == UInt8(ascii: "e"), let written = smallExponent(bytes, index + 1..<end)
            else { return nil }
            exponent += written
        }
        guard sawDigit, abs(exponent) <= 10 else { return nil }
        let magnitude = exponent < 0 ? Float(mantissa) / powers[-exponent] : Float(mantissa) * powers[exponent]
        return negative ? -magnitude : magnitude
    }

    /// An optionally signed exponent of 1 or 2 digits filling `range`, or nil.
    @inline(__always)
    private static func smallExponent(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        var sign = 1
        if index < range.upperBound && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
            sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
        }
        guard (1...2).contains(range.upperBound - index) else { return nil }
        var value = 0
        while index < range.upperBound {
            guard bytes[index] &- UInt8(ascii: "0") < 10 else { return nil }
            value = value * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        return sign * value
    }

    /// `strtof` on a NUL-terminated copy of `bytes[range]`; nil unless it reads the whole range.
    static func viaStrtof(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, scratch: inout [CChar]) -> Float? {
        guard !range.isEmpty, bytes[range.lowerBound] > 0x20 else { return nil }
        if scratch.count <= range.count { scratch = [CChar](repeating: 0, count: range.count * 2 + 1) }
        return scratch.withUnsafeMutableBufferPointer { scratch -> Float? in
            let base = scratch.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress! + range.lowerBound,
                                                     byteCount: range.count)
            base[range.count] = 0
            var next: UnsafeMutablePointer<CChar>? = nil
            let value = strtof(base, &next)
            return next == base + range.count ? value : nil
        }
    }
}
