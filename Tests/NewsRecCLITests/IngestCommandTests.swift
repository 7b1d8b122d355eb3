import Foundation
import MIND
import Store
import Testing
import TestSupport

private enum Files {
    static func sample(_ name: String) -> String { Fixtures.sample(name).path }
    static func bad(_ name: String) -> String { Fixtures.bad(name).path }
}

/// The "label  number" lines of the ingest summary table.
private func summaryValues(_ text: String) -> [String: Int] {
    var values: [String: Int] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("  ") {
        let words = line.split(separator: " ")
        guard let number = words.last.flatMap({ Int($0) }) else { continue }
        values[words.dropLast().joined(separator: " ")] = number
    }
    return values
}

@Suite("newsrec ingest and stats")
struct IngestCommandTests {
    @Test("ingest prints the summary and progress; stats shows the sample's counts as a table and as JSON")
    func ingestThenStats() throws {
        let directory = try TemporaryDirectory("IngestCommandTests").url
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("s.sqlite").path

        let train = newsrec(["ingest", "--db", db, "--split", "train", "--news", Files.sample("news.tsv"),
                             "--behaviors", Files.sample("behaviors_train.tsv")])
        #expect(train.code == 0)
        #expect(train.out.contains("ingested split train"))
        #expect(summaryValues(train.out) == ["news rows": 5, "impressions": 4, "candidates": 10,
                                             "skipped bad lines": 0, "unknown news ids": 0])
        #expect(train.err.contains("news.tsv: 5 lines"))
        #expect(train.err.contains("behaviors_train.tsv: 4 lines"))

        let test = newsrec(["ingest", "--db", db, "--split", "test", "--news", Files.sample("news.tsv"),
                            "--behaviors", Files.sample("behaviors_test.tsv"), "--json"], interactive: true)
        #expect(test.code == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(test.out.utf8)) as? [String: Any])
        #expect(summary["impressions"] as? Int == 2)
        #expect(summary["candidates"] as? Int == 5)
        #expect(summary["unknown_news"] as? Int == 0)
        #expect(test.err.hasPrefix("\r"))   // interactive progress redraws in place

        let table = newsrec(["stats", "--db", db])
        #expect(table.code == 0)
        let lines = table.out.split(separator: "\n").map(String.init)
        #expect(lines == [
            "split  news rows  news referenced  unknown  users  impressions  candidates  clicks     CTR",
            "train          5                5        0      3            4          10       5  0.5000",
            "test           5                5        0      2            2           5       0       -",
            "total: 5 news rows, 4 users",
        ])

        let json = newsrec(["stats", "--db", db, "--json"])
        #expect(json.code == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["news_rows"] as? Int == 5)
        #expect(object["users"] as? Int == 4)
        let splits = try #require(object["splits"] as? [[String: Any]])
        #expect(splits.map { $0["split"] as? String } == ["train", "test"])
        #expect(splits[0]["clicks"] as? Int == 5)
        #expect(splits[0]["ctr"] as? Double == 0.5)
        #expect(splits[1]["ctr"] is NSNull)
        #expect(splits[1]["labelled_candidates"] as? Int == 0)
    }

    @Test("bad input exits non-zero naming file and line and leaves the store unchanged; --skip-bad-lines counts")
    func badInput() throws {
        let directory = try TemporaryDirectory("IngestCommandTests").url
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("b.sqlite").path
        #expect(newsrec(["ingest", "--db", db, "--split", "dev", "--news", Files.sample("news.tsv"),
                         "--behaviors", Files.sample("behaviors_train.tsv")]).code == 0)
        let before = try NewsStore(path: db).read { try $0.statistics() }

        let failure = newsrec(["ingest", "--db", db, "--split", "dev", "--news", Files.sample("news.tsv"),
                               "--behaviors", Files.bad("behaviors_label.tsv")])
        #expect(failure.code == 1)
        #expect(failure.err.contains("\(Files.bad("behaviors_label.tsv")):2: expected"))
        #expect(failure.out.isEmpty)
        #expect(try NewsStore(path: db).read { try $0.statistics() } == before)

        let skipping = newsrec(["ingest", "--db", db, "--split", "dev", "--news", Files.sample("news.tsv"),
                                "--behaviors", Files.bad("behaviors_label.tsv"), "--skip-bad-lines"])
        #expect(skipping.code == 0)
        #expect(summaryValues(skipping.out)["skipped bad lines"] == 2)
        #expect(skipping.err.contains("skipped \(Files.bad("behaviors_label.tsv")):4: expected"))
        let after = try NewsStore(path: db).read { try $0.statistics() }
        #expect(after.splits.first?.impressions == 2)

        let fresh = directory.appendingPathComponent("new.sqlite").path
        let first = newsrec(["ingest", "--db", fresh, "--split", "dev", "--news", Files.sample("news.tsv"),
                             "--behaviors", Files.bad("behaviors_label.tsv")])
        #expect(first.code == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                .filter { $0.hasPrefix("new.sqlite") }.isEmpty, "a failed first ingest leaves no store file")
    }

    @Test("an ingest that changes titles says how many and shows them, in the table and in JSON")
    func changedTitles() throws {
        let directory = try TemporaryDirectory("IngestCommandTests")
        defer { directory.remove() }
        let db = directory.path("c.sqlite")
        #expect(newsrec(["ingest", "--db", db, "--split", "train", "--news", Files.sample("news.tsv")]).code == 0)
        var lines = try String(contentsOfFile: Files.sample("news.tsv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let (id, oldTitle) = (lines[0][0], lines[0][3])
        lines[0][3] = "A brand new title"
        let changed = try directory.file("news.tsv", lines.map { $0.joined(separator: "\t") + "\n" }.joined())

        let table = newsrec(["ingest", "--db", db, "--split", "train", "--news", changed.path])
        #expect(table.code == 0)
        #expect(table.out.contains("changed news      1"))
        #expect(table.out.contains("    \(id): \"\(oldTitle)\" → \"A brand new title\""))

        lines[0][3] = "Yet another title"
        let again = try directory.file("news2.tsv", lines.map { $0.joined(separator: "\t") + "\n" }.joined())
        let json = newsrec(["ingest", "--db", db, "--split", "train", "--news", again.path, "--json"])
        #expect(json.code == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["changed_news"] as? Int == 1)
        #expect(object["retitled_news"] as? Int == 1)
        let changes = try #require(object["title_changes"] as? [[String: String]])
        #expect(changes == [["news": id, "old_title": "A brand new title", "new_title": "Yet another title"]])
    }

    @Test("usage mistakes exit 64; stats on a missing file fails without creating it")
    func usage() throws {
        let badSplit = newsrec(["ingest", "--db", "x.sqlite", "--split", "valid", "--news", "n.tsv"])
        #expect(badSplit.code == 64)
        #expect(badSplit.err.contains("--split must be train, dev or test"))
        #expect(newsrec(["ingest", "--db", "x.sqlite", "--split", "dev"]).code == 64)
        let help = newsrec(["ingest", "--help"])
        #expect(help.code == 0)
        #expect(help.out.contains("Usage: newsrec ingest"))
        #expect(newsrec(["stats", "--help"]).code == 0)

        let directory = try TemporaryDirectory("IngestCommandTests").url
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.sqlite").path
        #expect(newsrec(["stats", "--db", missing]).code == 1)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
