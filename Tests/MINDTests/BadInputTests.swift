import Foundation
import Testing
@testable import MIND
import TestSupport

/// Each file under Fixtures/bad/ holds a good line before the bad one.
@Suite("Bad input")
struct BadInputTests {
    /// The error the default `onBadLine` throws when reading `file` with `read`.
    func firstError(_ file: String, _ read: (URL) throws -> Void) throws -> MINDFormatError {
        let url = Fixtures.bad(file)
        do {
            try read(url)
        } catch let error as MINDFormatError {
            #expect(error.file == url.path)
            #expect(error.description.hasPrefix("\(url.path):\(error.line): expected "))
            return error
        }
        Issue.record("\(file) was read without error")
        throw CancellationError()
    }

    func behaviors(_ url: URL) throws { _ = try BehaviorsReader(url: url).readAll() }
    func news(_ url: URL) throws { _ = try NewsReader(url: url).readAll() }

    @Test("behaviors: wrong column count")
    func behaviorsColumns() throws {
        let error = try firstError("behaviors_columns.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == "5 tab-separated columns (ImpressionID, UserID, Time, History, Impressions), found 4")
    }

    @Test("behaviors: label other than 0/1, first N3-2 then N4-x")
    func behaviorsLabel() throws {
        let error = try firstError("behaviors_label.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == "a candidate \"NewsID-1\", \"NewsID-0\" or \"NewsID\" in column 5 (Impressions), "
            + "found \"N3-2\" (label must be 0 or 1)")
        var errors: [MINDFormatError] = []
        let read = try BehaviorsReader(url: Fixtures.bad("behaviors_label.tsv")).readAll { errors.append($0) }
        #expect(read.map(\.id) == [1, 3])
        #expect(errors.map(\.line) == [2, 4])
        #expect(errors.last?.expected.contains("found \"N4-x\"") == true)
    }

    @Test("behaviors: unparseable time")
    func behaviorsTime() throws {
        let error = try firstError("behaviors_time.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == "a time \"MM/DD/YYYY hh:mm:ss AM|PM\" in column 3 (Time), found \"2019-11-15 13:05:07\"")
    }

    @Test("behaviors: non-integer impression id")
    func behaviorsID() throws {
        let error = try firstError("behaviors_id.tsv", behaviors)
        #expect(error.line == 3)
        #expect(error.expected == "an integer impression id in column 1 (ImpressionID), found \"x3\"")
    }

    @Test("behaviors: empty user id")
    func behaviorsUser() throws {
        let error = try firstError("behaviors_user.tsv", behaviors)
        #expect(error.line == 2)
        #expect(error.expected == "a user id in column 2 (UserID), found an empty field")
    }

    @Test("news: wrong column count")
    func newsColumns() throws {
        let error = try firstError("news_columns.tsv", news)
        #expect(error.line == 2)
        #expect(error.expected == "8 tab-separated columns (NewsID, Category, SubCategory, Title, Abstract, URL, "
            + "TitleEntities, AbstractEntities), found 7")
    }

    @Test("news: broken entity JSON")
    func newsEntities() throws {
        let error = try firstError("news_entities.tsv", news)
        #expect(error.line == 3)
        #expect(error.expected.hasPrefix("a JSON list of entity objects (Label, Type, WikidataId, Confidence, "
            + "OccurrenceOffsets, SurfaceForms) in column 7 (TitleEntities), found \"[{\"Label\": \"Paris\""))
        #expect(error.expected.hasSuffix("(at byte 98: expected ',' or '}' after a value, found end of text)"))
    }

    @Test("news: empty news id")
    func newsEmptyID() throws {
        let error = try firstError("news_empty_id.tsv", news)
        #expect(error.line == 2)
        #expect(error.expected == "a news id in column 1 (NewsID), found an empty field")
    }

    @Test("skip mode reads the good lines and counts the bad ones")
    func skipMode() throws {
        var skipped = 0
        var ids: [String] = []
        try NewsReader(url: Fixtures.bad("news_entities.tsv")).forEach(onBadLine: { _ in skipped += 1 }) { _, article in
            ids.append(article.id.rawValue)
        }
        #expect(skipped == 1)
        #expect(ids == ["N1", "N2"])

        var badLines: [Int] = []
        var goodLines: [Int] = []
        try BehaviorsReader(url: Fixtures.bad("behaviors_id.tsv")).forEach(onBadLine: { badLines.append($0.line) }) {
            line, _ in goodLines.append(line)
        }
        #expect(badLines == [3])
        #expect(goodLines == [1, 2])
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        let url = Fixtures.bad("no-such-file.tsv")
        #expect(throws: MINDFormatError(file: url.path, line: 0, expected: "a readable file (No such file or directory)")) {
            try BehaviorsReader(url: url).forEach { _, _ in }
        }
    }

    @Test("an error thrown by the body is not routed to onBadLine")
    func bodyErrorsPropagate() {
        struct Stop: Error {}
        var skipped = 0
        #expect(throws: Stop.self) {
            try BehaviorsReader(url: Fixtures.sample("behaviors_train.tsv")).forEach(onBadLine: { _ in skipped += 1 }) {
                _, _ in throw Stop()
            }
        }
        #expect(skipped == 0)
    }
}
