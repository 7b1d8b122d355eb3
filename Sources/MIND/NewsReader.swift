import Foundation

/// Streams the articles of a MIND `news.tsv` file.
///
/// Each line has 8 tab-separated columns: NewsID, Category, SubCategory, Title, Abstract, URL, TitleEntities,
/// AbstractEntities. Title and abstract may be empty; the entity columns are JSON lists of entity objects
/// (`[]` or empty when there are none). Empty lines are skipped; `\r\n` line endings are accepted.
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
        try LineScanner.forEachLine(path: path) { bytes, lineNumber in
            if bytes.isEmpty { return }
            let article: NewsArticle
            do {
                article = try Self.parse(bytes, fields: &fields, path: path, line: lineNumber)
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

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, fields: inout [Range<Int>],
                      path: String, line: Int) throws -> NewsArticle {
        func failure(_ expected: String) -> MINDFormatError {
            MINDFormatError(file: path, line: line, expected: expected)
        }
        Bytes.split(bytes, at: Bytes.tab, into: &fields)
        guard fields.count == 8 else {
            throw failure("8 tab-separated columns (\(columnNames.joined(separator: ", "))), found \(fields.count)")
        }
        guard !fields[0].isEmpty else { throw failure("a news id in column 1 (NewsID), found an empty field") }
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
