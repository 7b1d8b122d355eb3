import Basics
import Foundation

/// One line of a MIND leaderboard file: `ImpressionID [v1,v2,...]`, values in candidate order.
///
/// In `prediction.txt` the values are ranks (1 = best); in `truth.txt` they are labels (1 = clicked, 0 = not),
/// and an empty list marks an impression that is not scored.
public struct LeaderboardLine: Hashable, Sendable {
    public var impressionID: Int
    public var values: [Int]

    public init(impressionID: Int, values: [Int]) {
        self.impressionID = impressionID
        self.values = values
    }
}

/// The two kinds of leaderboard file; they share the line format and differ in which values are legal.
public enum LeaderboardFileKind: Sendable {
    /// `prediction.txt`: ranks ≥ 1 (evaluate.py needs `1/rank ∈ [0, 1]`).
    case prediction
    /// `truth.txt`: labels 0 or 1.
    case truth

    func check(_ value: Int) -> Bool {
        switch self {
        case .prediction: return value >= 1
        case .truth: return value == 0 || value == 1
        }
    }

    var valueDescription: String {
        switch self {
        case .prediction: return "ranks ≥ 1"
        case .truth: return "labels 0 or 1"
        }
    }
}

/// Writes a leaderboard file line by line through a buffer; the file appears under its name only when
/// `close()` succeeds (written to a temporary sibling, then renamed), so a failed run leaves nothing half-written.
///
/// Output is exactly `"\(id) [v1,v2,...]\n"` — no spaces inside the list, which evaluate.py requires.
public final class LeaderboardFileWriter {
    private let url: URL
    private let kind: LeaderboardFileKind
    private let file: AtomicFileWriter
    private var line: [UInt8] = []

    /// Opens `url` for writing (through a temporary file next to it).
    public init(url: URL, kind: LeaderboardFileKind) throws {
        self.url = url
        self.kind = kind
        file = try MetricsError.mappingFileErrors { try AtomicFileWriter(path: url.path, bufferSize: 1 << 20) }
    }

    /// Appends one line. Values must suit the file kind (ranks ≥ 1 or labels 0/1).
    public func write(impressionID: Int, values: [Int]) throws {
        if let bad = values.first(where: { !kind.check($0) }) {
            throw MetricsError.io(file: url.path, reason: "impression \(impressionID): value \(bad) is not one of the \(kind.valueDescription)")
        }
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: String(impressionID).utf8)
        line.append(UInt8(ascii: " "))
        line.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            line.append(contentsOf: String(value).utf8)
        }
        line.append(UInt8(ascii: "]"))
        line.append(UInt8(ascii: "\n"))
        try MetricsError.mappingFileErrors { try file.write(line) }
    }

    /// Appends one line.
    public func write(_ line: LeaderboardLine) throws {
        try write(impressionID: line.impressionID, values: line.values)
    }

    /// Flushes, closes and moves the file into place.
    public func close() throws {
        try MetricsError.mappingFileErrors { try file.close() }
    }
}

/// Reads a leaderboard file line by line in constant memory, validating every line.
public struct LeaderboardFileReader: Sendable {
    public let url: URL
    public let kind: LeaderboardFileKind

    public init(url: URL, kind: LeaderboardFileKind) {
        self.url = url
        self.kind = kind
    }

    /// Calls `body` with the 1-based line number and the parsed line, in file order.
    /// - Throws: `MetricsError.malformedLine` naming the line, or `MetricsError.io`, or what `body` throws.
    public func forEach(_ body: (_ line: Int, _ entry: LeaderboardLine) throws -> Void) throws {
        let lines = try LineSource(url: url)
        while let bytes = try lines.next() {
            try body(lines.lineNumber, try parse(bytes, line: lines.lineNumber))
        }
    }

    /// Every line of the file.
    public func readAll() throws -> [LeaderboardLine] {
        var entries: [LeaderboardLine] = []
        try forEach { _, entry in entries.append(entry) }
        return entries
    }

    /// Parses `ImpressionID [v1,...]` (the id and the list separated by whitespace, no whitespace inside the list,
    /// as `line.split()` in evaluate.py requires). A trailing `\r` is tolerated.
    func parse(_ bytes: ArraySlice<UInt8>, line: Int) throws -> LeaderboardLine {
        func fail(_ expected: String) -> MetricsError {
            .malformedLine(file: url.path, line: line, expected: expected)
        }
        let format = "'ImpressionID [v1,v2,...]' with \(kind.valueDescription) and no spaces inside the list"
        var text = bytes
        while let last = text.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            text.removeLast()
        }
        guard let separator = text.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else {
            throw fail(format)
        }
        guard let impressionID = Int(String(decoding: text[text.startIndex..<separator], as: UTF8.self)) else {
            throw fail("an integer impression id before the list; " + format)
        }
        var list = text[separator...]
        while let first = list.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { list.removeFirst() }
        guard list.first == UInt8(ascii: "["), list.last == UInt8(ascii: "]") else { throw fail(format) }
        let inner = list.dropFirst().dropLast()
        var values: [Int] = []
        if !inner.isEmpty {
            for field in inner.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                guard let value = Int(String(decoding: field, as: UTF8.self)) else { throw fail(format) }
                guard kind.check(value) else {
                    throw fail("\(kind.valueDescription), found \(value)")
                }
                values.append(value)
            }
        }
        return LeaderboardLine(impressionID: impressionID, values: values)
    }
}

/// A leaderboard file format: the line syntax is shared, `kind` says which values are legal. `PredictionFile` and
/// `TruthFile` get their readers and writers from here.
public protocol LeaderboardFileFormat {
    static var kind: LeaderboardFileKind { get }
}

extension LeaderboardFileFormat {
    /// A streaming, atomic writer.
    public static func writer(url: URL) throws -> LeaderboardFileWriter {
        try LeaderboardFileWriter(url: url, kind: kind)
    }

    /// Writes all lines at once (atomically).
    public static func write(_ lines: some Sequence<LeaderboardLine>, to url: URL) throws {
        let writer = try writer(url: url)
        for line in lines { try writer.write(line) }
        try writer.close()
    }

    /// A streaming reader.
    public static func reader(url: URL) -> LeaderboardFileReader { LeaderboardFileReader(url: url, kind: kind) }

    /// Every line of the file.
    public static func read(from url: URL) throws -> [LeaderboardLine] { try reader(url: url).readAll() }
}

/// `prediction.txt` for the MIND leaderboard: one line `ImpressionID [r1,r2,...]` per impression, ranks in
/// candidate order, 1 = best (see `ScoreOrder.ranks(scores:)`).
public enum PredictionFile: LeaderboardFileFormat {
    public static let kind = LeaderboardFileKind.prediction
}

/// `truth.txt` for the MIND leaderboard: one line `ImpressionID [0,1,0,...]` per impression, labels in candidate
/// order; `[]` marks an impression that is not scored.
public enum TruthFile: LeaderboardFileFormat {
    public static let kind = LeaderboardFileKind.truth
}

/// The lines of a leaderboard file (without the line end), for parsing.
struct LineSource {
    private let reader: LineReader

    init(url: URL) throws {
        reader = try MetricsError.mappingFileErrors { try LineReader(path: url.path, chunkSize: 1 << 20) }
    }

    /// 1-based number of the line last returned.
    var lineNumber: Int { reader.lineNumber }

    /// The next line, or nil at the end of the file (a final line without `\n` is returned too).
    func next() throws -> ArraySlice<UInt8>? {
        try MetricsError.mappingFileErrors { try reader.next().map { ArraySlice($0) } }
    }
}
