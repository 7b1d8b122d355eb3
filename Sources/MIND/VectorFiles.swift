import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Vectors keyed by a string, read from a text file with one `key v1 … vd` row per line.
///
/// The common storage of `EntityVectors` and `WordVectors`: `values` is `[count × dimension]`, row *i* is the
/// vector of `keys[i]`.
public struct VectorTable: Sendable {
    /// Length of every vector.
    public let dimension: Int
    /// Key of every row, in file order.
    public let keys: [String]
    /// `[count × dimension]`, row-major.
    public let values: [Float]
    private let rows: [String: Int]

    /// Number of vectors.
    public var count: Int { keys.count }

    /// A table of the given rows; `keys` must be distinct and `values` hold `keys.count × dimension` numbers.
    init(dimension: Int, keys: [String], values: [Float]) {
        precondition(values.count == keys.count * dimension, "\(keys.count) keys need \(keys.count * dimension) values")
        self.dimension = dimension
        self.keys = keys
        self.values = values
        rows = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, $0.offset) })
    }

    /// The row of `key`, or nil.
    public func row(of key: String) -> Int? { rows[key] }

    /// The vector of `key` (`[dimension]`), or nil.
    public func vector(for key: String) -> [Float]? {
        guard let row = rows[key] else { return nil }
        return Array(values[row * dimension..<(row + 1) * dimension])
    }

    /// Reads rows `key<sep>v1<sep>…<sep>vd`. One trailing separator is allowed; all rows need the dimension of
    /// the first good row; every value must be a finite decimal number; keys must not repeat.
    ///
    /// - Parameters:
    ///   - separator: the byte between fields (`\t` or space).
    ///   - keysMayContainSeparator: a row with more fields than `1 + dimension` takes its last `dimension` fields
    ///     as the vector and the rest, separators included, as the key (glove.840B has words with spaces).
    ///   - onBadLine: called with the error for a malformed line; returning normally skips the line.
    init(path: String, separator: UInt8, describing kind: String, keysMayContainSeparator: Bool = false,
         onBadLine: (MINDFormatError) throws -> Void) throws {
        var keys: [String] = []
        var values: [Float] = []
        var rows: [String: Int] = [:]
        var dimension = 0
        var fields: [Range<Int>] = []
        var scratch = UnsafeMutableBufferPointer<CChar>.allocate(capacity: 4096)
        defer { scratch.deallocate() }
        let separatorName = separator == Bytes.tab ? "tab" : "space"
        try LineScanner.forEachLine(path: path) { bytes, line in
            if bytes.isEmpty { return }
            func failure(_ expected: String) -> MINDFormatError {
                MINDFormatError(file: path, line: line, expected: expected)
            }
            do {
                Bytes.split(bytes, at: separator, into: &fields)
                if fields.count > 2 && fields[fields.count - 1].isEmpty { fields.removeLast() }
                if keysMayContainSeparator && dimension > 0 && fields.count > dimension + 1 {
                    let key = fields[0].lowerBound..<fields[fields.count - dimension - 1].upperBound
                    fields = [key] + fields.suffix(dimension)
                }
                guard !fields[0].isEmpty else { throw failure("a \(kind) before the first \(separatorName)") }
                let found = fields.count - 1
                guard found > 0 else {
                    throw failure("a \(kind) followed by \(separatorName)-separated numbers, found no numbers")
                }
                if dimension == 0 {
                    dimension = found
                } else if found != dimension {
                    throw failure("\(dimension) \(separatorName)-separated numbers after the \(kind) "
                        + "(the dimension of the first row), found \(found)")
                }
                // strtof needs a NUL-terminated copy of the line.
                if scratch.count <= bytes.count {
                    scratch.deallocate()
                    scratch = UnsafeMutableBufferPointer<CChar>.allocate(capacity: bytes.count * 2 + 1)
                }
                let base = scratch.baseAddress!
                UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                base[bytes.count] = 0
                let start = values.count
                var badField: Range<Int>? = nil
                for field in fields.dropFirst() {
                    guard !field.isEmpty, bytes[field.lowerBound] > 0x20 else {
                        badField = field
                        break
                    }
                    var end: UnsafeMutablePointer<CChar>? = nil
                    let value = strtof(base + field.lowerBound, &end)
                    guard let end, end == base + field.upperBound, value.isFinite else {
                        badField = field
                        break
                    }
                    values.append(value)
                }
                if let badField {
                    values.removeSubrange(start...)
                    let column = fields.firstIndex(of: badField)! + 1
                    throw failure("a finite number in field \(column), found " + Bytes.quote(bytes, badField))
                }
                let key = Bytes.string(bytes, fields[0])
                if let first = rows[key] {
                    values.removeSubrange(start...)
                    throw failure("each \(kind) once, found \"\(key)\" again (first in row \(first + 1))")
                }
                rows[key] = keys.count
                keys.append(key)
            } catch let error as MINDFormatError {
                try onBadLine(error)
            }
        }
        guard !keys.isEmpty else {
            throw MINDFormatError(file: path, line: 0, expected: "at least one \(kind) with its vector, found none")
        }
        self.dimension = dimension
        self.keys = keys
        self.values = values
        self.rows = rows
    }
}

/// TransE vectors of WikiData entities or relations: MIND's `entity_embedding.vec` and `relation_embedding.vec`,
/// one `ID\tv1\t…\tvd` row per line (d = 100 in MIND; any d is accepted, the same in every row).
public struct EntityVectors: Sendable {
    /// Rows keyed by WikiData id (`Q42`, `P31`).
    public let table: VectorTable

    /// Reads a `.vec` file.
    ///
    /// - Throws: `MINDFormatError` naming the line for a row of another dimension, a value that is not a
    ///   finite number, a missing or repeated id (unless `onBadLine` returns, which skips the row), or a file
    ///   with no rows.
    public init(contentsOf url: URL, onBadLine: (MINDFormatError) throws -> Void = { throw $0 }) throws {
        table = try VectorTable(path: url.path, separator: Bytes.tab, describing: "WikiData id",
                                onBadLine: onBadLine)
    }

    /// Length of every vector.
    public var dimension: Int { table.dimension }
    /// Number of entities.
    public var count: Int { table.count }
    /// The vector of a WikiData id (`[dimension]`), or nil ("a few entities may not have embeddings").
    public func vector(for id: String) -> [Float]? { table.vector(for: id) }
}

/// Word vectors in GloVe text format: one `word v1 … vd` row per line, space-separated, the same d in every row.
///
/// `init(contentsOf:)` keeps every row of the file; `init(contentsOf:keeping:)` streams the file and keeps only the
/// rows of a vocabulary, which is what a model needs from GloVe files of several GB.
public struct WordVectors: Sendable {
    /// Rows keyed by word.
    public let table: VectorTable
    /// How much of the vocabulary the file covered: set by `init(contentsOf:keeping:dimension:onBadLine:)`,
    /// nil when every row was loaded.
    public let coverage: WordVectorCoverage?

    init(table: VectorTable, coverage: WordVectorCoverage?) {
        self.table = table
        self.coverage = coverage
    }

    /// Reads a GloVe text file. A row with more fields than the first row's takes its last d fields as the vector
    /// and the rest as the word (glove.840B.300d has a few words that contain spaces).
    ///
    /// - Throws: `MINDFormatError` naming the line for a row with fewer numbers than the first row's, a value that
    ///   is not a finite number,
    ///   a repeated word (unless `onBadLine` returns, which skips the row), or a file with no rows.
    public init(contentsOf url: URL, onBadLine: (MINDFormatError) throws -> Void = { throw $0 }) throws {
        table = try VectorTable(path: url.path, separator: Bytes.space, describing: "word",
                                keysMayContainSeparator: true, onBadLine: onBadLine)
        coverage = nil
    }

    /// Length of every vector.
    public var dimension: Int { table.dimension }
    /// Number of words.
    public var count: Int { table.count }
    /// The vector of `word` (`[dimension]`), or nil.
    public func vector(for word: String) -> [Float]? { table.vector(for: word) }
}
