import Foundation
import Testing
import TestSupport
@testable import MIND

/// The integrity checks of the readers: NUL bytes, UTF-8, id rules, repeated news, double labels, label mixing.
/// Fixtures under Fixtures/bad/ hold a good line before each bad one.
extension BadInputTests {
    static let newsRule = "1 to 64 characters from A-Z a-z 0-9 _ . : (no '-', which starts a candidate's label)"
    static let candidateShape = "a candidate \"NewsID-1\", \"NewsID-0\" or \"NewsID\" in column 5 (Impressions), found "

    /// Reads `file` in skip mode: the lines delivered and the errors passed to `onBadLine`.
    func skipping(_ file: String) throws -> (lines: [Int], errors: [MINDFormatError]) {
        var lines: [Int] = []
        var errors: [MINDFormatError] = []
        if file.hasPrefix("news") {
            try NewsReader(url: Fixtures.bad(file)).forEach(onBadLine: { errors.append($0) }) { line, _ in
                lines.append(line)
            }
        } else {
            try BehaviorsReader(url: Fixtures.bad(file)).forEach(onBadLine: { errors.append($0) }) { line, _ in
                lines.append(line)
            }
        }
        return (lines, errors)
    }

    @Test("news: a NUL byte inside a field names the column and the byte")
    func newsNUL() throws {
        let error = try firstError("news_nul.tsv", news)
        #expect(error.line == 2)
        #expect(error.expected == "text without NUL bytes, found a NUL byte (0x00) in column 4 (Title) at byte 11 "
            + "of the column")
        let skipped = try skipping("news_nul.tsv")
        #expect(skipped.lines == [1, 3])
        #expect(skipped.errors.map(\.line) == [2])
    }

    @Test("news: invalid UTF-8 is an error, not repaired")
    func newsUTF8() throws {
        let error = try firstError("news_utf8.tsv", news)
        #expect(error.line == 2)
        #expect(error.expected == "valid UTF-8 text, found an invalid byte sequence starting with byte 0xE9 in "
            + "column 5 (Abstract) at byte 7 of the column")
        let articles = try NewsReader(url: Fixtures.bad("news_utf8.tsv")).readAll { _ in }
        #expect(articles.map(\.id.rawValue) == ["N1", "N2"])
        #expect(articles[0].title == "Café culture in Paris", "valid multi-byte text is read as before")
    }

    @Test("news: ids with a space or a hyphen break the id rule")
    func newsIDRule() throws {
        let error = try firstError("news_id.tsv", news)
        #expect(error.line == 2)
        #expect(error.expected == "a news id in column 1 (NewsID) of \(Self.newsRule), found \"N 5\" "
            + "(' ' at byte 2 is not allowed)")
        let skipped = try skipping("news_id.tsv")
        #expect(skipped.lines == [1, 4])
        #expect(skipped.errors.map(\.line) == [2, 3])
        #expect(skipped.errors.last?.expected.hasSuffix("found \"N3-1\" ('-' at byte 3 is not allowed)") == true)
    }

    @Test("news: a repeat with identical content is accepted once; other content names both lines")
    func newsRepeated() throws {
        let error = try firstError("news_duplicate.tsv", news)
        #expect(error.line == 4)
        #expect(error.expected == "news N2 defined once, or again with identical columns 2-8, found it defined "
            + "again with different content (first defined on line 2)")
        var delivered: [(Int, String)] = []
        var errors: [Int] = []
        try NewsReader(url: Fixtures.bad("news_duplicate.tsv")).forEach(onBadLine: { errors.append($0.line) }) {
            line, article in delivered.append((line, article.id.rawValue))
        }
        #expect(delivered.map(\.0) == [1, 2, 5], "line 3 repeats N1 byte for byte: accepted, not delivered again")
        #expect(delivered.map(\.1) == ["N1", "N2", "N9"])
        #expect(errors == [4])
    }

    @Test("behaviors: invalid UTF-8 in the user id is named as such")
    func behaviorsUTF8() throws {
        let error = try firstError("behaviors_utf8.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == "valid UTF-8 text, found an invalid byte sequence starting with byte 0x80 in "
            + "column 2 (UserID) at byte 2 of the column")
    }

    @Test("behaviors: history, candidate and user ids must follow the id rules")
    func behaviorsIDRules() throws {
        let error = try firstError("behaviors_news_id.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == "space-separated news ids of \(Self.newsRule) in column 4 (History), found "
            + "\"N1,N2\" (',' at byte 3 is not allowed)")
        let skipped = try skipping("behaviors_news_id.tsv")
        #expect(skipped.lines == [1, 5])
        #expect(skipped.errors.map(\.line) == [2, 3, 4])
        #expect(skipped.errors[1].expected == Self.candidateShape + "\"N3;-1\" (news id ';' at byte 3 is not "
            + "allowed; news ids are \(Self.newsRule))")
        #expect(skipped.errors[2].expected == "a user id in column 2 (UserID) of 1 to 64 characters from "
            + "A-Z a-z 0-9 _ . : -, found \"U 4\" (' ' at byte 2 is not allowed)")
    }

    @Test("behaviors: N3-1-1 is an error, not news N3-1 with label 1")
    func behaviorsDoubleLabel() throws {
        let error = try firstError("behaviors_double_label.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == Self.candidateShape + "\"N3-1-1\" (one label after the news id; news ids "
            + "contain no '-')")
    }

    @Test("behaviors: labelled and unlabelled candidates mixed within a line and across lines")
    func behaviorsMixed() throws {
        let error = try firstError("behaviors_mixed.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == "all candidates of a line labelled (NewsID-0/1) or all unlabelled (NewsID) in "
            + "column 5 (Impressions), found \"N4\" among labelled candidates")
        let skipped = try skipping("behaviors_mixed.tsv")
        #expect(skipped.lines == [1, 4])
        #expect(skipped.errors.map(\.line) == [2, 3])
        #expect(skipped.errors.last?.expected == "labelled (NewsID-0/1) candidates in column 5 (Impressions) as on "
            + "every line so far (1 line, from line 1), found unlabelled (NewsID) candidates \"N3 N4\"")
    }
}

@Suite("Input integrity")
struct IntegrityTests {
    func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = try TemporaryDirectory().url.appendingPathComponent("input.tsv")
        try Data(bytes).write(to: url)
        return url
    }

    func behaviorsLine(_ id: Int, user: String = "U1", history: String = "N1", _ candidates: String) -> String {
        "\(id)\t\(user)\t11/15/2019 10:22:32 AM\t\(history)\t\(candidates)\n"
    }

    func errors(_ text: String) throws -> [MINDFormatError] {
        let url = try temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var errors: [MINDFormatError] = []
        _ = try BehaviorsReader(url: url).readAll { errors.append($0) }
        return errors
    }

    @Test("an unlabelled file rejects a labelled line and names how many lines it had so far")
    func unlabelledFile() throws {
        let found = try errors(behaviorsLine(1, "N1 N2") + behaviorsLine(2, "N3") + behaviorsLine(3, "N4-1 N5-0"))
        #expect(found.map(\.line) == [3])
        #expect(found.first?.expected == "unlabelled (NewsID) candidates in column 5 (Impressions) as on every line "
            + "so far (2 lines, from line 1), found labelled (NewsID-0/1) candidates \"N4-1 N5-0\"")
    }

    @Test("candidate shapes: labels 0/1 only, a news id before the label, ids of at most 64 characters")
    func candidateShapes() throws {
        let long = String(repeating: "7", count: 64)
        let found = try errors(behaviorsLine(1, "N\(long.dropFirst())-1 N2-0") + behaviorsLine(2, "N\(long)-1")
            + behaviorsLine(3, "-1") + behaviorsLine(4, "N3-") + behaviorsLine(5, "N3-10") + behaviorsLine(6, "N2-0"))
        #expect(found.map(\.line) == [2, 3, 4, 5])
        #expect(found[0].expected.hasSuffix("(news id 65 characters, more than 64; news ids are \(BadInputTests.newsRule))"))
        #expect(found[1].expected.hasSuffix("\"-1\" (no news id before the label)"))
        #expect(found[2].expected.hasSuffix("\"N3-\" (label must be 0 or 1)"))
        #expect(found[3].expected.hasSuffix("\"N3-10\" (label must be 0 or 1)"))
    }

    @Test("a NUL byte in a behaviors line is named, whichever column holds it")
    func behaviorsNUL() throws {
        let url = try temporaryFile(Array(behaviorsLine(1, history: "N1 N\u{0}2", "N3-1").utf8))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        #expect(throws: MINDFormatError(file: url.path, line: 1, expected: "text without NUL bytes, found a NUL byte "
            + "(0x00) in column 4 (History) at byte 5 of the column")) {
            try BehaviorsReader(url: url).readAll()
        }
    }

    @Test("id rules", arguments: [
        ("N12345", true, true), ("n_1.2:3", true, true), ("N-1", false, true), ("N 1", false, false),
        ("", false, false), ("N1é", false, false), (String(repeating: "a", count: 64), true, true),
        (String(repeating: "a", count: 65), false, false), ("U397059", true, true), ("N1\t", false, false),
    ])
    func idRules(text: String, news: Bool, user: Bool) {
        #expect(NewsID.isValid(text) == news)
        #expect(UserID.isValid(text) == user)
    }

    @Test("the line check agrees with the standard library's UTF-8 validation, at every alignment")
    func lineCheckMatchesStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [[0x41], [0x20], [0], [0xC3, 0xA9], [0xE6, 0x9D, 0xB1], [0xF0, 0x9F, 0x98, 0x80],
                                 [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF]]
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<40, using: &generator)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                // Mostly ASCII, so that the 16-byte ASCII steps and their boundaries are exercised.
                let piece = Int.random(in: 0..<40, using: &generator)
                bytes += piece < pieces.count ? pieces[piece] : [UInt8.random(in: 0x21...0x7E, using: &generator)]
            }
            let expected: Int? = String(validating: bytes, as: UTF8.self) == nil || bytes.contains(0)
                ? firstBadOffset(bytes) : nil
            let found = bytes.withUnsafeBufferPointer { TextCheck.scan($0).problem }
            #expect(found == expected, "\(bytes)")
        }
    }

    /// The first offset at which no prefix can be extended to valid UTF-8 without NUL (a slow reference).
    func firstBadOffset(_ bytes: [UInt8]) -> Int? {
        var offset = 0
        while offset < bytes.count {
            guard bytes[offset] != 0 else { return offset }
            let length = (1...4).first { length in
                offset + length <= bytes.count
                    && String(validating: bytes[offset..<offset + length], as: UTF8.self)?.unicodeScalars.count == 1
            }
            guard let length else { return offset }
            offset += length
        }
        return nil
    }

    @Test("the line hash tells apart lines that differ in one byte, at any position and length")
    func lineHash() {
        for length in [0, 1, 7, 8, 15, 16, 17, 31, 32, 100] {
            let base = (0..<length).map { UInt8(0x41 + $0 % 26) }
            let hash = base.withUnsafeBufferPointer { TextCheck.scan($0).hash }
            #expect(hash == base.withUnsafeBufferPointer { TextCheck.scan($0).hash })
            #expect(hash != (base + [0x20]).withUnsafeBufferPointer { TextCheck.scan($0).hash })
            for position in 0..<length {
                var changed = base
                changed[position] = 0x61
                #expect(hash != changed.withUnsafeBufferPointer { TextCheck.scan($0).hash }, "\(length) \(position)")
            }
        }
    }
}
