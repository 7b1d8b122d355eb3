import Foundation
import MIND

/// Click files for bulk `newsrec click --file`: one click per line, `user<TAB>news<TAB>time`, where time is Unix
/// seconds or MIND's `MM/DD/YYYY hh:mm:ss AM|PM` (UTC). Empty lines are skipped; a CRLF line end is accepted.
public enum ClicksFile {
    /// Reads every click of the file at `url`, with its 1-based line number.
    ///
    /// - Throws: `MINDFormatError` naming the file, the line and what was expected, at the first bad line.
    public static func read(_ url: URL) throws -> [(line: Int, click: Click)] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw MINDFormatError(file: url.path, line: 0, expected: "a readable UTF-8 text file")
        }
        var clicks: [(line: Int, click: Click)] = []
        var number = 0
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            if line.isEmpty { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 3 else {
                throw MINDFormatError(file: url.path, line: number,
                                      expected: "3 tab-separated columns (user, news, time), found \(columns.count)")
            }
            guard !columns[0].isEmpty, !columns[1].isEmpty else {
                throw MINDFormatError(file: url.path, line: number, expected: "a non-empty user and news id")
            }
            guard let time = parseTime(String(columns[2])) else {
                throw MINDFormatError(file: url.path, line: number,
                                      expected: "a time in Unix seconds or MM/DD/YYYY hh:mm:ss AM|PM, found '\(columns[2])'")
            }
            clicks.append((number, Click(user: UserID(String(columns[0])), news: NewsID(String(columns[1])), time: time)))
        }
        return clicks
    }

    /// Unix seconds from `text`: an integer, or a MIND time string (UTC); nil when it is neither.
    public static func parseTime(_ text: String) -> Int64? {
        Int64(text) ?? MINDTime.parse(text)
    }
}

/// A click names a news the store does not hold (no ingested news file defines it); nothing was recorded.
public struct UnknownClickedNewsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The clicks file and 1-based line of the first such click; nil for a click given on the command line.
    public var file: String?
    public var line: Int
    public var news: NewsID
    /// How many distinct unknown news the clicks name.
    public var unknownCount: Int

    public init(file: String?, line: Int, news: NewsID, unknownCount: Int) {
        self.file = file
        self.line = line
        self.news = news
        self.unknownCount = unknownCount
    }

    public var description: String {
        let place = file.map { "\($0):\(line): " } ?? ""
        let others = unknownCount > 1 ? " (\(unknownCount) unknown news in all)" : ""
        return "\(place)expected a news id of the store, found \(news)\(others); nothing recorded"
    }
}
