import Foundation
import Testing
@testable import MIND
import TestSupport

@Suite("Line handling")
struct LineHandlingTests {
    /// Writes `text` to a temporary file and returns its URL (the directory is removed by `cleanUp`).
    func temporaryFile(_ name: String, _ data: Data) throws -> URL {
        let directory = try TemporaryDirectory().url
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    func crlfCopy(of url: URL, finalNewline: Bool) throws -> Data {
        var text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r\n")
        if !finalNewline { text.removeLast() }   // "\r\n" is one Character
        return Data(text.utf8)
    }

    @Test("CRLF line endings and a missing final newline give the same records", arguments: [true, false])
    func crlf(finalNewline: Bool) throws {
        let news = try temporaryFile("news.tsv", crlfCopy(of: Fixtures.sample("news.tsv"), finalNewline: finalNewline))
        let behaviors = try temporaryFile("behaviors.tsv",
                                          crlfCopy(of: Fixtures.sample("behaviors_train.tsv"), finalNewline: finalNewline))
        defer {
            try? FileManager.default.removeItem(at: news.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: behaviors.deletingLastPathComponent())
        }
        #expect(try NewsReader(url: news).readAll() == NewsReader(url: Fixtures.sample("news.tsv")).readAll())
        #expect(try BehaviorsReader(url: behaviors).readAll()
                == BehaviorsReader(url: Fixtures.sample("behaviors_train.tsv")).readAll())
    }

    @Test("lines longer than the chunk and split across chunks are read whole")
    func chunkBoundaries() throws {
        let longLine = String(repeating: "x", count: 100)
        let text = "a\r\nbb\n\n\(longLine)\nccc"
        let url = try temporaryFile("lines.txt", Data(text.utf8))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        for chunkSize in [1, 2, 3, 7, 64, 1 << 16] {
            var lines: [(Int, String)] = []
            try LineScanner.forEachLine(path: url.path, chunkSize: chunkSize) { bytes, line in
                lines.append((line, String(decoding: bytes, as: UTF8.self)))
            }
            #expect(lines.map(\.0) == [1, 2, 3, 4, 5], "chunk \(chunkSize)")
            #expect(lines.map(\.1) == ["a", "bb", "", longLine, "ccc"], "chunk \(chunkSize)")
        }
    }

    @Test("a UTF-8 byte order mark and blank lines are skipped; line numbers stay exact")
    func byteOrderMarkAndBlankLines() throws {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data("7\tU9\t1/2/2020 9:03:04 PM\t\tN1-1\n\n8\tU9\t1/2/2020 9:03:04 PM\t\tN2-x\n".utf8))
        let url = try temporaryFile("behaviors.tsv", data)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var errors: [MINDFormatError] = []
        let impressions = try BehaviorsReader(url: url).readAll { errors.append($0) }
        #expect(impressions == [Impression(id: 7, user: UserID("U9"), time: 1_577_998_984, history: [],
                                           candidates: [Candidate(news: NewsID("N1"), clicked: true)])])
        #expect(errors.map(\.line) == [3])
    }
}

@Suite("MIND time")
struct MINDTimeTests {
    /// Expected values from Python: `calendar.timegm(time.strptime(s, "%m/%d/%Y %I:%M:%S %p"))`.
    @Test("parses as UTC", arguments: [
        ("11/15/2019 10:22:32 AM", Int64(1_573_813_352)),
        ("11/16/2019 12:00:00 AM", 1_573_862_400),
        ("11/14/2019 12:30:00 PM", 1_573_734_600),
        ("11/22/2019 11:59:59 PM", 1_574_467_199),
        ("02/29/2020 01:02:03 PM", 1_582_981_323),
        ("1/1/1970 12:00:00 AM", 0),
        ("12/31/1969 11:59:59 PM", -1),
    ])
    func parses(text: String, seconds: Int64) {
        #expect(MINDTime.parse(text) == seconds)
    }

    @Test("rejects malformed times", arguments: [
        "", "11/15/2019", "11/15/2019 10:22:32", "11/15/2019 10:22:32 am", "13/15/2019 10:22:32 AM",
        "11/31/2019 10:22:32 AM", "02/29/2019 10:22:32 AM", "11/15/2019 0:22:32 AM", "11/15/2019 13:22:32 PM",
        "11/15/2019 10:60:32 AM", "11/15/2019 10:22:3 AM", "11/15/19 10:22:32 AM", "11/15/2019 10:22:32 AM ",
        "2019-11-15 10:22:32",
    ])
    func rejects(text: String) {
        #expect(MINDTime.parse(text) == nil)
    }
}
