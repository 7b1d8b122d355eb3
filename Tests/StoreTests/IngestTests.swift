import Foundation
import MIND
import Testing
@testable import Store
import TestSupport

@Suite("Ingest")
struct IngestTests {
    static let entity = Entity(label: "Quote \"q\" \\ back\nslash 東京 \u{1}", type: "P", wikidataID: "Q42",
                               confidence: 0.1 + 0.2, occurrenceOffsets: [0, 17, 230],
                               surfaceForms: ["Douglas", "D. \"A\""])
    static let articles = [
        NewsArticle(id: NewsID("N1"), category: "lifestyle", subcategory: "buzz", title: "Douglas Adams at 42",
                    abstract: "Tab\there, café, 東京タワー", url: "https://example.com/N1",
                    titleEntities: [entity, Entity(label: "Adams", type: "P", wikidataID: "Q7", confidence: 1,
                                                   occurrenceOffsets: [], surfaceForms: [])],
                    abstractEntities: [Entity(label: "Tokyo", type: "G", wikidataID: "Q1490", confidence: 0.87,
                                              occurrenceOffsets: [14], surfaceForms: ["東京"])]),
        NewsArticle(id: NewsID("N2"), category: "news", subcategory: "world", title: "", abstract: "", url: ""),
    ]
    static let impressions = [
        Impression(id: 7, user: UserID("U1"), time: 1_573_813_352, history: [NewsID("N2"), NewsID("N1")],
                   candidates: [Candidate(news: NewsID("N1"), clicked: false), Candidate(news: NewsID("N9"), clicked: true)]),
        Impression(id: 3, user: UserID("U2"), time: -5, history: [],
                   candidates: [Candidate(news: NewsID("N2"), clicked: nil)]),
        Impression(id: 9, user: UserID("U1"), time: 1_573_900_000, history: [NewsID("N8")], candidates: []),
    ]

    @Test("records round-trip through every column, entities included")
    func recordRoundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("r.sqlite"))
        let summary = try store.ingest(split: .dev, news: Self.articles, impressions: Self.impressions)
        #expect(summary.newsRows == 2)
        #expect(summary.impressions == 3)
        #expect(summary.candidates == 3)
        #expect(summary.unknownNews == 2)
        #expect(summary.unknownNewsInHistories == 1)   // N8
        #expect(summary.unknownNewsInCandidates == 1)  // N9
        #expect(summary.unknownNewsExamples == [NewsID("N8"), NewsID("N9")])

        for article in Self.articles { #expect(try store.withConnection { try $0.article(article.id) } == article) }
        #expect(try store.withConnection { try $0.article(NewsID("N3")) } == nil)
        for impression in Self.impressions { #expect(try store.withConnection { try $0.impression(split: .dev, id: impression.id) } == impression) }
        #expect(try store.withConnection { try $0.impression(split: .train, id: 7) } == nil)
        var streamed: [Impression] = []
        try store.withConnection { try $0.forEachImpression(split: .dev) { streamed.append($0) } }
        #expect(streamed == Self.impressions.sorted { $0.id < $1.id })

        // The entity table holds the same entities, one row each, in array order.
        let rows = try store.withConnection { try $0.rows("""
            SELECT field, position, label, type, wikidata_id, confidence, offsets, surface_forms
            FROM news_entities WHERE news = 'N1' ORDER BY field DESC, position
            """) }
        #expect(rows.count == 3)
        #expect(rows[0] == [.text("title"), .integer(0), .text(Self.entity.label), .text("P"), .text("Q42"),
                            .real(0.1 + 0.2), .text("[0, 17, 230]"), .text(#"["Douglas", "D. \"A\""]"#)])
        #expect(rows[2][0] == .text("abstract"))
        #expect(try store.withConnection { try $0.news(mentioning: "Q1490") } == [NewsID("N1")])

        // Impression counters: 1 click of 2 labelled; the unlabelled one has NULL clicks.
        #expect(try store.withConnection { try $0.rows("SELECT impression_id, candidates, clicks FROM impressions ORDER BY impression_id") }
                == [[.integer(3), .integer(1), .null], [.integer(7), .integer(2), .integer(1)],
                    [.integer(9), .integer(0), .integer(0)]])
    }

    @Test("the latest history is the one of the latest impression, then recorded clicks")
    func latestHistory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("h.sqlite"))
        try store.ingest(split: .dev, news: Self.articles, impressions: Self.impressions)
        let u1 = try #require(try store.withConnection { try $0.latestHistory(of: UserID("U1")) })
        #expect(u1.news == [NewsID("N8")])
        #expect(u1.impressionID == 9 && u1.split == .dev && u1.time == 1_573_900_000)

        // A later impression in another split takes over; an older one does not.
        try store.ingest(split: .test, news: nil, impressions: [
            Impression(id: 1, user: UserID("U1"), time: 1_574_000_000, history: [NewsID("N1")], candidates: []),
            Impression(id: 2, user: UserID("U2"), time: -10, history: [NewsID("N1")], candidates: []),
        ])
        #expect(try store.withConnection { try $0.latestHistory(of: UserID("U1")) }?.news == [NewsID("N1")])
        #expect(try store.withConnection { try $0.latestHistory(of: UserID("U2")) }?.news == [])
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM split_news WHERE split = 'test'") } == 0)
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM split_news WHERE split = 'dev'") } == 2)

        try store.withConnection { try $0.recordClick(user: UserID("U1"), news: NewsID("N2"), time: 1_574_000_100) }
        try store.withConnection { try $0.recordClick(user: UserID("U1"), news: NewsID("N5"), time: 1_574_000_050) }
        try store.withConnection { try $0.recordClick(user: UserID("U1"), news: NewsID("N6"), time: 1_573_000_000) }  // before the snapshot
        let updated = try #require(try store.withConnection { try $0.latestHistory(of: UserID("U1")) })
        #expect(updated.news == [NewsID("N1"), NewsID("N5"), NewsID("N2")])
        #expect(updated.time == 1_574_000_100)
        #expect(try store.withConnection { try $0.latestHistory(of: UserID("U404")) } == nil)
        try store.withConnection { try $0.recordClick(user: UserID("U5"), news: NewsID("N1"), time: 3) }
        #expect(try store.withConnection { try $0.latestHistory(of: UserID("U5")) }?.news == [NewsID("N1")])
    }

    @Test("re-ingesting the same files leaves the same rows")
    func idempotent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("i.sqlite"))
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_train.tsv"))
        try store.ingest(split: .test, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_test.tsv"))
        let first = try snapshot(store)
        #expect(first["candidates"]?.count == 15)
        let summary = try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"),
                                       behaviorsFile: Fixtures.sample("behaviors_train.tsv"))
        #expect(summary.impressions == 4 && summary.candidates == 10 && summary.newsRows == 5)
        #expect(try snapshot(store) == first)
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM ingest_runs") } == 3)
    }

    @Test("a split's impressions are replaced as a whole by its next behaviors file")
    func replacesSplit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("x.sqlite"))
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_train.tsv"))
        let smaller = try directory.file("b.tsv", "4\tU9\t11/20/2019 9:00:00 AM\tN1\tN2-1 N3-0\n")
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"), behaviorsFile: smaller)
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM impressions") } == 1)
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM candidates") } == 2)
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM user_histories") } == 1)
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM news_references") } == 3)
        // Ingesting only news keeps the split's impressions.
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"), behaviorsFile: nil)
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM impressions") } == 1)
    }

    static let badCases: [(news: String, behaviors: String?, line: Int, expected: String)] = [
        ("news_columns.tsv", nil, 2, "8 tab-separated columns"),
        ("news_empty_id.tsv", nil, 2, "NewsID"),
        ("news_entities.tsv", nil, 3, "JSON"),
        ("news.tsv", "behaviors_columns.tsv", 2, "5 tab-separated columns"),
        ("news.tsv", "behaviors_id.tsv", 3, "ImpressionID"),
        ("news.tsv", "behaviors_label.tsv", 2, "label"),
        ("news.tsv", "behaviors_time.tsv", 2, "Time"),
        ("news.tsv", "behaviors_user.tsv", 2, "UserID"),
    ]

    @Test("bad input fails with file and line and leaves every table unchanged", arguments: 0..<badCases.count)
    func badInputLeavesStoreUnchanged(index: Int) throws {
        let (newsName, behaviorsName, line, expected) = Self.badCases[index]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("b.sqlite"))
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_train.tsv"))
        let before = try snapshot(store, includingRuns: true)

        let newsFile = newsName == "news.tsv" ? Fixtures.sample(newsName) : Fixtures.bad(newsName)
        let behaviorsFile = behaviorsName.map(Fixtures.bad)
        do {
            try store.ingest(split: .train, newsFile: newsFile, behaviorsFile: behaviorsFile)
            Issue.record("expected a MINDFormatError")
        } catch let error as MINDFormatError {
            #expect(error.file == (behaviorsFile ?? newsFile).path)
            #expect(error.line == line)
            #expect(error.expected.localizedCaseInsensitiveContains(expected), "\(error)")
        }
        #expect(try !store.withConnection { $0.isInTransaction })
        #expect(try snapshot(store, includingRuns: true) == before)
    }

    @Test("a bad line near the end of a long behaviors file leaves the store unchanged")
    func badLineNearEnd() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var text = ""
        for id in 1...3000 { text += "\(id)\tU\(id % 97)\t11/15/2019 10:22:32 AM\tN1 N2\tN3-1 N4-0 N5-0\n" }
        text += "3001\tU1\t11/15/2019 10:22:32 AM\tN1\tN3-7\n"
        text += "3002\tU1\t11/15/2019 10:22:32 AM\tN1\tN3-1\n"
        let behaviors = try directory.file("long.tsv", text)
        let store = try NewsStore(path: directory.path("l.sqlite"))
        try store.ingest(split: .dev, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_train.tsv"))
        let before = try snapshot(store, includingRuns: true)
        #expect(throws: MINDFormatError.self) {
            try store.ingest(split: .dev, newsFile: Fixtures.sample("news.tsv"), behaviorsFile: behaviors)
        }
        #expect(try snapshot(store, includingRuns: true) == before)

        // With skipping, the same file goes in minus the bad line.
        let summary = try store.ingest(split: .dev, newsFile: Fixtures.sample("news.tsv"), behaviorsFile: behaviors,
                                       options: IngestOptions(skipBadLines: true))
        #expect(summary.impressions == 3001 && summary.skippedLines == 1 && summary.candidates == 9001)
        #expect(summary.badLines.map(\.line) == [3001])
    }

    @Test("--skip-bad-lines skips and counts malformed lines and repeated ImpressionIDs")
    func skipBadLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let behaviors = try directory.file("dup.tsv", """
            1\tU1\t11/15/2019 10:22:32 AM\tN1\tN2-1 N3-0
            2\tU2\t11/15/2019 10:22:32 AM\tN1\tN2-0 N3-1
            1\tU3\t11/15/2019 10:22:32 AM\tN1\tN2-1
            3\tU3\tnot a time\tN1\tN2-1

            """)
        let store = try NewsStore(path: directory.path("s.sqlite"))
        do {
            try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"), behaviorsFile: behaviors)
            Issue.record("expected a MINDFormatError for the repeated id")
        } catch let error as MINDFormatError {
            #expect(error.line == 3 && error.expected.contains("unique ImpressionID"))
        }
        #expect(try store.withConnection { try $0.articleCount() } == 0)

        let summary = try store.ingest(split: .train, newsFile: Fixtures.bad("news_entities.tsv"),
                                       behaviorsFile: behaviors, options: IngestOptions(skipBadLines: true))
        #expect(summary.newsRows == 2)
        #expect(summary.impressions == 2)
        #expect(summary.candidates == 4)
        #expect(summary.skippedLines == 3)
        #expect(summary.badLines.map(\.line) == [3, 3, 4])
        #expect(summary.badLines.map(\.file) == [Fixtures.bad("news_entities.tsv").path, behaviors.path, behaviors.path])
        #expect(try store.withConnection { try $0.impression(split: .train, id: 1) }?.user == UserID("U1"))
        #expect(summary.unknownNews == 1)  // N3: the news file lost it with its bad line
    }

    @Test("a repeated ImpressionID in records fails and writes nothing")
    func repeatedRecordID() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("d.sqlite"))
        #expect(throws: MINDFormatError(file: "<records>", line: 4,
                                        expected: "a unique ImpressionID, but 7 appears on an earlier line")) {
            try store.ingest(split: .train, news: Self.articles, impressions: Self.impressions + [Self.impressions[0]])
        }
        #expect(try snapshot(store, includingRuns: true).values.allSatisfy(\.isEmpty))
    }

    @Test("progress reports lines and a final report per file")
    func progress() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("p.sqlite"))
        var reports: [IngestProgress] = []
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_train.tsv"),
                         options: IngestOptions(progressInterval: 0)) { reports.append($0) }
        let finals = reports.filter(\.isFinished)
        #expect(finals.map(\.file) == [Fixtures.sample("news.tsv").path, Fixtures.sample("behaviors_train.tsv").path])
        #expect(finals.map(\.lines) == [5, 4])
    }
}
