import Foundation

/// Streams the impressions of a MIND `behaviors.tsv` file.
///
/// Each line has 5 tab-separated columns: ImpressionID (an integer), UserID, Time
/// (`MM/DD/YYYY hh:mm:ss AM|PM`, read as UTC), History (space-separated news ids, oldest first, may be empty)
/// and Impressions (space-separated `N123-1` / `N456-0`; bare `N123` in unlabelled test splits, all candidates
/// of a line alike, and all lines of a file alike: a file is either labelled or unlabelled). Empty lines are
/// skipped; `\r\n` line endings are accepted.
///
/// User ids and news ids must satisfy the id rules of `UserID` and `NewsID`; as news ids contain no `-`, the
/// first `-` of a candidate starts its label, and `N3-1-1` is an error. A NUL byte or invalid UTF-8 is an error
/// naming its column.
///
/// The parser works on bytes read in large chunks and builds `String`s only for ids.
public struct BehaviorsReader: Sendable {
    /// The file being read.
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// Calls `body` for every impression, in file order, in constant memory.
    ///
    /// - Parameters:
    ///   - onBadLine: called with the error for a malformed line. Throwing (the default) stops reading;
    ///     returning normally skips the line.
    ///   - body: receives the 1-based line number and the impression.
    /// - Throws: `MINDFormatError` for a malformed line (unless `onBadLine` returns) or an unreadable file,
    ///   and whatever `onBadLine` or `body` throws.
    public func forEach(onBadLine: (MINDFormatError) throws -> Void = { throw $0 },
                        _ body: (_ line: Int, _ impression: Impression) throws -> Void) throws {
        let path = url.path
        var fields: [Range<Int>] = []
        fields.reserveCapacity(6)
        var labelling = FileLabelling()
        try LineScanner.forEachLine(path: path) { bytes, lineNumber in
            if bytes.isEmpty { return }
            let impression: Impression
            do {
                impression = try Self.parse(bytes, fields: &fields, path: path, line: lineNumber)
                try labelling.check(impression, bytes: bytes, candidates: fields[4], path: path, line: lineNumber)
            } catch let error as MINDFormatError {
                try onBadLine(error)
                return
            }
            try body(lineNumber, impression)
        }
    }

    /// Reads every impression of the file into memory.
    public func readAll(onBadLine: (MINDFormatError) throws -> Void = { throw $0 }) throws -> [Impression] {
        var impressions: [Impression] = []
        try forEach(onBadLine: onBadLine) { _, impression in impressions.append(impression) }
        return impressions
    }

    static let columnNames = ["ImpressionID", "UserID", "Time", "History", "Impressions"]

    /// Parses one line. Every byte of a good line is ASCII (digits, ids, the time, spaces), so NUL bytes and
    /// invalid UTF-8 always fail some check; the text is then examined to name them instead.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, fields: inout [Range<Int>],
                      path: String, line: Int) throws -> Impression {
        do {
            return try parseColumns(bytes, fields: &fields, path: path, line: line)
        } catch let error as MINDFormatError {
            guard fields.count == 5, let offset = TextCheck.scan(bytes).problem else { throw error }
            throw MINDFormatError(file: path, line: line, expected: TextCheck.expectation(
                bytes, problemAt: offset, fields: fields, columnNames: columnNames))
        }
    }

    private static func parseColumns(_ bytes: UnsafeBufferPointer<UInt8>, fields: inout [Range<Int>],
                                     path: String, line: Int) throws -> Impression {
        func failure(_ expected: String) -> MINDFormatError {
            MINDFormatError(file: path, line: line, expected: expected)
        }
        Bytes.split(bytes, at: Bytes.tab, into: &fields)
        guard fields.count == 5 else {
            throw failure("5 tab-separated columns (ImpressionID, UserID, Time, History, Impressions), "
                + "found \(fields.count)")
        }
        guard let id = parseInteger(bytes, fields[0]) else {
            throw failure("an integer impression id in column 1 (ImpressionID), found " + Bytes.quote(bytes, fields[0]))
        }
        guard !fields[1].isEmpty else { throw failure("a user id in column 2 (UserID), found an empty field") }
        guard IDRule.isValid(bytes, fields[1], allowsHyphen: true) else {
            throw failure("a user id in column 2 (UserID) of \(UserID.rule), found " + Bytes.quote(bytes, fields[1])
                + " (" + IDRule.problem(bytes, fields[1], allowsHyphen: true) + ")")
        }
        let user = UserID(Bytes.string(bytes, fields[1]))
        guard let time = MINDTime.parse(UnsafeBufferPointer(rebasing: bytes[fields[2]])) else {
            throw failure("a time \"MM/DD/YYYY hh:mm:ss AM|PM\" in column 3 (Time), found "
                + Bytes.quote(bytes, fields[2]))
        }
        var history: [NewsID] = []
        if let badID = parseHistory(bytes, fields[3], into: &history) {
            throw failure("space-separated news ids of \(NewsID.rule) in column 4 (History), found "
                + Bytes.quote(bytes, badID) + " (" + IDRule.problem(bytes, badID, allowsHyphen: false) + ")")
        }
        let candidates = try parseCandidates(bytes, fields[4], path: path, line: line)
        return Impression(id: id, user: user, time: time, history: history, candidates: candidates)
    }

    /// Appends the space-separated news ids of `range` to `history`; returns the first word that breaks the id
    /// rule, or nil. Runs of spaces are one separator.
    private static func parseHistory(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                     into history: inout [NewsID]) -> Range<Int>? {
        if range.isEmpty { return nil }
        history.reserveCapacity(Bytes.occurrences(of: Bytes.space, in: bytes, range).count + 1)
        var index = range.lowerBound
        let end = range.upperBound
        while let id = nextNewsID(bytes, from: &index, to: end) {
            guard index == end || bytes[index] == Bytes.space, id.count <= IDRule.maximumLength else {
                return id.lowerBound..<wordEnd(bytes, from: index, to: end)
            }
            history.append(NewsID(Bytes.string(bytes, id)))
        }
        return nil
    }

    /// The candidates of column 5: `NewsID-1` / `NewsID-0`, or bare `NewsID`, all of a line alike.
    private static func parseCandidates(_ bytes: UnsafeBufferPointer<UInt8>, _ field: Range<Int>,
                                        path: String, line: Int) throws -> [Candidate] {
        var candidates: [Candidate] = []
        if !field.isEmpty {
            candidates.reserveCapacity(Bytes.occurrences(of: Bytes.space, in: bytes, field).count + 1)
        }
        var labelled: Bool? = nil
        var index = field.lowerBound
        let end = field.upperBound
        while let id = nextNewsID(bytes, from: &index, to: end) {
            let start = id.lowerBound
            var clicked: Bool? = nil
            if index + 1 < end && bytes[index] == UInt8(ascii: "-")
                && (bytes[index + 1] == UInt8(ascii: "0") || bytes[index + 1] == UInt8(ascii: "1")) {
                clicked = bytes[index + 1] == UInt8(ascii: "1")
                index += 2
            }
            let word = start..<wordEnd(bytes, from: index, to: end)
            guard index == word.upperBound, !id.isEmpty, id.count <= IDRule.maximumLength else {
                throw MINDFormatError(file: path, line: line, expected: candidateProblem(bytes, word))
            }
            if let labelled, labelled != (clicked != nil) {
                throw MINDFormatError(file: path, line: line, expected: "all candidates of a line labelled "
                    + "(NewsID-0/1) or all unlabelled (NewsID) in column 5 (Impressions), found "
                    + Bytes.quote(bytes, word) + " among " + (labelled ? "labelled" : "unlabelled") + " candidates")
            }
            labelled = clicked != nil
            candidates.append(Candidate(news: NewsID(Bytes.string(bytes, id)), clicked: clicked))
        }
        guard !candidates.isEmpty else {
            throw MINDFormatError(file: path, line: line,
                                  expected: "at least one candidate in column 5 (Impressions), found an empty field")
        }
        return candidates
    }

    /// What is wrong with the candidate `word` (called only for a malformed one).
    private static func candidateProblem(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> String {
        var idEnd = word.lowerBound
        while idEnd < word.upperBound && bytes[idEnd] != UInt8(ascii: "-") { idEnd += 1 }
        let id = word.lowerBound..<idEnd
        let found = "a candidate \"NewsID-1\", \"NewsID-0\" or \"NewsID\" in column 5 (Impressions), found "
            + Bytes.quote(bytes, word)
        if id.isEmpty { return found + " (no news id before the label)" }
        if !IDRule.isValid(bytes, id, allowsHyphen: false) {
            return found + " (news id " + IDRule.problem(bytes, id, allowsHyphen: false) + "; news ids are "
                + NewsID.rule + ")"
        }
        let label = idEnd + 1..<word.upperBound
        if label.contains(where: { bytes[$0] == UInt8(ascii: "-") }) {
            return found + " (one label after the news id; news ids contain no '-')"
        }
        return found + " (label must be 0 or 1)"
    }

    /// The end of the run of news-id bytes starting at `index` (a space, a `-`, another byte or `end`).
    @inline(__always)
    private static func newsIDEnd(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int, to end: Int) -> Int {
        var index = index
        while index < end && IDRule.allows(bytes[index], allowsHyphen: false) { index += 1 }
        return index
    }

    /// Skips the spaces at `index`, then returns the run of news-id characters that follows (possibly empty, when
    /// another character stands there) and moves `index` past it; nil at `end`. Runs of spaces are one separator.
    @inline(__always)
    private static func nextNewsID(_ bytes: UnsafeBufferPointer<UInt8>, from index: inout Int, to end: Int)
        -> Range<Int>? {
        while index < end && bytes[index] == Bytes.space { index += 1 }
        guard index < end else { return nil }
        let start = index
        index = newsIDEnd(bytes, from: start, to: end)
        return start..<index
    }

    /// The next space at or after `index`, or `end`.
    @inline(__always)
    private static func wordEnd(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int, to end: Int) -> Int {
        var index = index
        while index < end && bytes[index] != Bytes.space { index += 1 }
        return index
    }

    /// A decimal integer (optional leading `-`) filling all of `range`, or nil.
    static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound && bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < range.upperBound else { return nil }
        var value = 0
        while index < range.upperBound {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}

/// The MIND time format `MM/DD/YYYY hh:mm:ss AM|PM` (month, day and hour may have one digit), read as UTC.
public enum MINDTime {
    /// Unix seconds of a MIND time string, or nil when it is not a valid time in that format.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// Unix seconds of a MIND time given as UTF-8 bytes, or nil when it is not a valid time in that format.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        func number(minDigits: Int, maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while index < bytes.count && digits < maxDigits {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0 && digit <= 9 else { break }
                value = value * 10 + digit
                digits += 1
                index += 1
            }
            return digits >= minDigits ? value : nil
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count && bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let month = number(minDigits: 1, maxDigits: 2), expect(UInt8(ascii: "/")),
              let day = number(minDigits: 1, maxDigits: 2), expect(UInt8(ascii: "/")),
              let year = number(minDigits: 4, maxDigits: 4), expect(Bytes.space),
              let hour = number(minDigits: 1, maxDigits: 2), expect(UInt8(ascii: ":")),
              let minute = number(minDigits: 2, maxDigits: 2), expect(UInt8(ascii: ":")),
              let second = number(minDigits: 2, maxDigits: 2), expect(Bytes.space),
              index + 2 == bytes.count, bytes[index + 1] == UInt8(ascii: "M")
        else { return nil }
        let isPM: Bool
        switch bytes[index] {
        case UInt8(ascii: "A"): isPM = false
        case UInt8(ascii: "P"): isPM = true
        default: return nil
        }
        guard (1...12).contains(month), (1...12).contains(hour), minute < 60, second < 60,
              day >= 1, day <= daysInMonth(month, year: year)
        else { return nil }
        let hour24 = hour % 12 + (isPM ? 12 : 0)
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour24 * 3600 + minute * 60 + second)
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Whether the candidates of one behaviors file are labelled: fixed by its first good line, then checked on
/// every other line (a file mixing `N1-0` lines and bare `N1` lines is an error on the first line that differs).
struct FileLabelling {
    private var labelled: Bool?
    private var firstLine = 0
    private var goodLines = 0

    mutating func check(_ impression: Impression, bytes: UnsafeBufferPointer<UInt8>, candidates: Range<Int>,
                        path: String, line: Int) throws {
        let isLabelled = impression.candidates[0].clicked != nil
        guard let labelled else {
            labelled = isLabelled
            firstLine = line
            goodLines = 1
            return
        }
        guard labelled == isLabelled else {
            let kind = { (labelled: Bool) in labelled ? "labelled (NewsID-0/1)" : "unlabelled (NewsID)" }
            let lines = goodLines == 1 ? "1 line" : "\(goodLines) lines"
            throw MINDFormatError(file: path, line: line, expected: "\(kind(labelled)) candidates in column 5 "
                + "(Impressions) as on every line so far (\(lines), from line \(firstLine)), found "
                + "\(kind(isLabelled)) candidates " + Bytes.quote(bytes, candidates))
        }
        goodLines += 1
    }
}
