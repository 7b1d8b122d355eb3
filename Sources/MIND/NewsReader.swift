import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the articles of a MIND `news.tsv` file.
///
/// Each line has 8 tab-separated columns: NewsID, Category, SubCategory, Title, Abstract, URL, TitleEntities,
/// AbstractEntities. Title and abstract may be empty; the entity columns are JSON lists of entity objects
/// (`[]` or empty when there are none). Empty lines are skipped; `\r\n` line endings are accepted.
///
/// Every line must be well-formed UTF-8 without NUL bytes (checked, never repaired), and the NewsID must satisfy
/// the news id rule (see `NewsID`). A news id may appear on several lines only with byte-identical columns 2-8:
/// such a repeat is accepted and not delivered again (every id reaches `body` once); a repeat with other content
/// is an error naming both lines. Only a 64-bit hash of each id's content is kept (about 50 bytes per id).
public struct NewsReader: Sendable {
    /// The file being read.
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// Calls `body` for every article, in file order, in constant memory.
    ///
    /// - Parameters:
    ///   - onBadLine: called with the error for a malformed line. Throwing (the default) stops reading;
    ///     returning normally skips the line.
    ///   - body: receives the 1-based line number and the article.
    /// - Throws: `MINDFormatError` for a malformed line (unless `onBadLine` returns) or an unreadable file,
    ///   and whatever `onBadLine` or `body` throws.
    public func forEach(onBadLine: (MINDFormatError) throws -> Void = { throw $0 },
                        _ body: (_ line: Int, _ article: NewsArticle) throws -> Void) throws {
        let path = url.path
        var fields: [Range<Int>] = []
        fields.reserveCapacity(9)
        var definitions = NewsDefinitions(expectedCount: Self.estimatedLineCount(path))
        try LineScanner.forEachLine(path: path) { bytes, lineNumber in
            if bytes.isEmpty { return }
            let article: NewsArticle
            do {
                var hash: UInt64 = 0
                article = try Self.parse(bytes, fields: &fields, path: path, line: lineNumber, hash: &hash)
                guard try definitions.isFirst(article.id, hash: hash, path: path, line: lineNumber) else {
                    return
                }
            } catch let error as MINDFormatError {
                try onBadLine(error)
                return
            }
            try body(lineNumber, article)
        }
    }

    /// Reads every article of the file into memory.
    public func readAll(onBadLine: (MINDFormatError) throws -> Void = { throw $0 }) throws -> [NewsArticle] {
        var articles: [NewsArticle] = []
        try forEach(onBadLine: onBadLine) { _, article in articles.append(article) }
        return articles
    }

    static let columnNames = ["NewsID", "Category", "SubCategory", "Title", "Abstract", "URL",
                              "TitleEntities", "AbstractEntities"]

    /// A line count for reserving memory up front: MIND news lines are 400-1,000 bytes long.
    static func estimatedLineCount(_ path: String) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { return 0 }
        return min(Int(status.st_size) / 400, 1 << 22)
    }

    /// Parses one line; `hash` receives a hash of the whole line.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, fields: inout [Range<Int>],
                      path: String, line: Int, hash: inout UInt64) throws -> NewsArticle {
        func failure(_ expected: String) -> MINDFormatError {
            MINDFormatError(file: path, line: line, expected: expected)
        }
        Bytes.split(bytes, at: Bytes.tab, into: &fields)
        guard fields.count == 8 else {
            throw failure("8 tab-separated columns (\(columnNames.joined(separator: ", "))), found \(fields.count)")
        }
        let scan = TextCheck.scan(bytes)
        if let offset = scan.problem {
            throw failure(TextCheck.expectation(bytes, problemAt: offset, fields: fields, columnNames: columnNames))
        }
        hash = scan.hash
        guard !fields[0].isEmpty else { throw failure("a news id in column 1 (NewsID), found an empty field") }
        guard IDRule.isValid(bytes, fields[0], allowsHyphen: false) else {
            throw failure("a news id in column 1 (NewsID) of \(NewsID.rule), found " + Bytes.quote(bytes, fields[0])
                + " (" + IDRule.problem(bytes, fields[0], allowsHyphen: false) + ")")
        }
        func entities(_ column: Int) throws -> [Entity] {
            let range = fields[column]
            let slice = UnsafeBufferPointer(rebasing: bytes[range])
            if slice.isEmpty || (slice.count == 2 && slice[0] == UInt8(ascii: "[") && slice[1] == UInt8(ascii: "]")) {
                return []
            }
            do {
                return try EntityJSONParser.parse(slice)
            } catch {
                throw failure("a JSON list of entity objects (Label, Type, WikidataId, Confidence, "
                    + "OccurrenceOffsets, SurfaceForms) in column \(column + 1) (\(columnNames[column])), found "
                    + Bytes.quote(bytes, range) + " (\(error.description))")
            }
        }
        return NewsArticle(
            id: NewsID(Bytes.string(bytes, fields[0])),
            category: Bytes.string(bytes, fields[1]),
            subcategory: Bytes.string(bytes, fields[2]),
            title: Bytes.string(bytes, fields[3]),
            abstract: Bytes.string(bytes, fields[4]),
            url: Bytes.string(bytes, fields[5]),
            titleEntities: try entities(6),
            abstractEntities: try entities(7))
    }
}

/// The news ids seen so far in one news.tsv, each with the line that defined it and a hash of that line (the
/// lines of one id differ exactly when their columns 2-8 do).
struct NewsDefinitions {
    private var first: [NewsID: (hash: UInt64, line: Int)] = [:]

    init(expectedCount: Int) {
        first.reserveCapacity(expectedCount)
    }

    /// Records the definition of `id` on `line`, whose text has hash `hash`. Returns true for its first definition,
    /// false for a repeat with the same content; throws for a repeat with other content, naming both lines.
    mutating func isFirst(_ id: NewsID, hash: UInt64, path: String, line: Int) throws -> Bool {
        // One hash-table access for the common case of a new id; a repeat puts the first definition back.
        guard let earlier = first.updateValue((hash, line), forKey: id) else { return true }
        first[id] = earlier
        guard earlier.hash == hash else {
            throw MINDFormatError(file: path, line: line, expected: "news \(id) defined once, or again with identical "
                + "columns 2-8, found it defined again with different content (first defined on line \(earlier.line))")
        }
        return false
    }
}
