import Basics
import Foundation

/// One click of a user on a news at a time (Unix seconds).
public struct Click: Hashable, Sendable {
    public var user: UserID
    public var news: NewsID
    public var time: Int64

    public init(user: UserID, news: NewsID, time: Int64) {
        self.user = user
        self.news = news
        self.time = time
    }
}

/// Click files for bulk `newsrec click --file`: one click per line, `user<TAB>news<TAB>time`, where time is Unix
/// seconds or MIND's `MM/DD/YYYY hh:mm:ss AM|PM` (UTC). Empty lines are skipped; a CRLF line end is accepted.
/// Read with `Basics.LineReader`.
public enum ClicksFile {
    /// Reads every click of the file at `url`, with its 1-based line number.
    ///
    /// - Throws: `MINDFormatError` naming the file, the line and what was expected, at the first bad line (line 0
    ///   when the file cannot be read).
    public static func read(_ url: URL) throws -> [(line: Int, click: Click)] {
        let reader: LineReader
        do {
            reader = try LineReader(path: url.path)
        } catch {
            throw MINDFormatError(file: url.path, line: 0, expected: "a readable UTF-8 text file")
        }
        var clicks: [(line: Int, click: Click)] = []
        while let bytes = try nextLine(reader, file: url.path) {
            let number = reader.lineNumber
            if bytes.isEmpty { continue }
            guard let line = String(validating: bytes, as: UTF8.self) else {
                throw MINDFormatError(file: url.path, line: number, expected: "UTF-8 text")
            }
            clicks.append((number, try click(line, file: url.path, line: number)))
        }
        return clicks
    }

    /// Unix seconds from `text`: an integer, or a MIND time string (UTC); nil when it is neither.
    public static func parseTime(_ text: String) -> Int64? {
        Int64(text) ?? MINDTime.parse(text)
    }

    private static func nextLine(_ reader: LineReader, file: String) throws -> UnsafeBufferPointer<UInt8>? {
        do {
            return try reader.next()
        } catch {
            throw MINDFormatError(file: file, line: reader.lineNumber + 1, expected: "a readable UTF-8 text file")
        }
    }

    /// The click of one non-empty line.
    private static func click(_ line: String, file: String, line number: Int) throws -> Click {
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard columns.count == 3 else {
            throw MINDFormatError(file: file, line: number,
                                  expected: "3 tab-separated columns (user, news, time), found \(columns.count)")
        }
        guard !columns[0].isEmpty, !columns[1].isEmpty else {
            throw MINDFormatError(file: file, line: number, expected: "a non-empty user and news id")
        }
        guard let time = parseTime(String(columns[2])) else {
            throw MINDFormatError(file: file, line: number,
                                  expected: "a time in Unix seconds or MM/DD/YYYY hh:mm:ss AM|PM, found '\(columns[2])'")
        }
        return Click(user: UserID(String(columns[0])), news: NewsID(String(columns[1])), time: time)
    }
}
