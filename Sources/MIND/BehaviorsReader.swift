import Foundation

/// Streams the impressions of a MIND `behaviors.tsv` file.
///
/// Each line has 5 tab-separated columns: ImpressionID (an integer), UserID, Time
/// (`MM/DD/YYYY hh:mm:ss AM|PM`, read as UTC), History (space-separated news ids, oldest first, may be empty)
/// and Impressions (space-separated `N123-1` / `N456-0`; bare `N123` in unlabelled test splits, all candidates
/// of a line alike). Empty lines are skipped; `\r\n` line endings are accepted.
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
        try LineScanner.forEachLine(path: path) { bytes, lineNumber in
            if bytes.isEmpty { return }
            let impression: Impression
            do {
                impression = try Self.parse(bytes, fields: &fields, path: path, line: lineNumber)
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

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, fields: inout [Range<Int>],
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
        let user = UserID(Bytes.string(bytes, fields[1]))
        guard let time = MINDTime.parse(UnsafeBufferPointer(rebasing: bytes[fields[2]])) else {
            throw failure("a time \"MM/DD/YYYY hh:mm:ss AM|PM\" in column 3 (Time), found "
                + Bytes.quote(bytes, fields[2]))
        }

        var history: [NewsID] = []
        forEachWord(bytes, fields[3]) { word in history.append(NewsID(Bytes.string(bytes, word))) }

        var candidates: [Candidate] = []
        var labelled: Bool? = nil
        var problem: MINDFormatError? = nil
        forEachWord(bytes, fields[4]) { word in
            guard problem == nil else { return }
            var idEnd = word.upperBound
            var clicked: Bool? = nil
            var dash = word.upperBound - 1
            while dash >= word.lowerBound && bytes[dash] != UInt8(ascii: "-") { dash -= 1 }
            if dash >= word.lowerBound {
                let label = dash + 1..<word.upperBound
                if label.count == 1 && bytes[label.lowerBound] == UInt8(ascii: "1") {
                    clicked = true
                } else if label.count == 1 && bytes[label.lowerBound] == UInt8(ascii: "0") {
                    clicked = false
                } else {
                    problem = failure("a candidate \"NewsID-1\", \"NewsID-0\" or \"NewsID\" in column 5 "
                        + "(Impressions), found " + Bytes.quote(bytes, word) + " (label must be 0 or 1)")
                    return
                }
                idEnd = dash
            }
            guard idEnd > word.lowerBound else {
                problem = failure("a news id before the label in column 5 (Impressions), found "
                    + Bytes.quote(bytes, word))
                return
            }
            let isLabelled = clicked != nil
            if let labelled, labelled != isLabelled {
                problem = failure("all candidates of a line labelled (NewsID-0/1) or all unlabelled (NewsID) "
                    + "in column 5 (Impressions), found " + Bytes.quote(bytes, word) + " among "
                    + (labelled ? "labelled" : "unlabelled") + " candidates")
                return
            }
            labelled = isLabelled
            candidates.append(Candidate(news: NewsID(Bytes.string(bytes, word.lowerBound..<idEnd)),
                                        clicked: clicked))
        }
        if let problem { throw problem }
        guard !candidates.isEmpty else {
            throw failure("at least one candidate in column 5 (Impressions), found an empty field")
        }
        return Impression(id: id, user: user, time: time, history: history, candidates: candidates)
    }

    /// Calls `body` with the range of every space-separated word of `range` (runs of spaces are one separator).
    @inline(__always)
    static func forEachWord(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                            _ body: (Range<Int>) -> Void) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            while index < end && bytes[index] == Bytes.space { index += 1 }
            let wordStart = index
            while index < end && bytes[index] != Bytes.space { index += 1 }
            if index > wordStart { body(wordStart..<index) }
        }
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
