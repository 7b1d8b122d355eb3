import Foundation
import MIND
import Testing
@testable import Store
import TestSupport

@Suite("Schema migrations")
struct MigrationTests {
    /// A test-only second step: adds a column with a default and a table, and moves data.
    static let version2 = Migration(version: 2, name: "002_test.sql", sql: """
        ALTER TABLE news ADD COLUMN title_length INTEGER NOT NULL DEFAULT 0;
        UPDATE news SET title_length = length(title);
        CREATE TABLE news_vectors (news TEXT PRIMARY KEY, vector BLOB NOT NULL);
        """)

    /// Schema version 1 alone (the bundled files without the later steps), for upgrade tests.
    static func version1() throws -> [Migration] { try Migration.bundled().filter { $0.version == 1 } }

    @Test("the bundled schema files are 001_… to 004_… and create version 4 with the expected tables and indexes")
    func bundled() throws {
        let migrations = try Migration.bundled()
        #expect(migrations.map(\.version) == [1, 2, 3, 4])
        #expect(migrations.map(\.name) == ["001_initial.sql", "002_ranking.sql", "003_title_changes.sql",
                                            "004_packed_candidates.sql"])
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("s.sqlite"))
        #expect(try store.schemaVersion() == 4)
        let names = try store.withConnection { try $0.rows(
            "SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name") }
        #expect(names.map { $0[0] } == [
            "clicks", "clicks_by_time", "impressions", "impressions_by_time", "impressions_by_user_time",
            "ingest_runs", "models", "news", "news_entities", "news_entities_by_wikidata_id", "news_references",
            "news_title_changes", "news_vectors", "split_news", "user_histories", "user_vectors",
        ].map(SQLValue.text))
    }

    @Test("an older file is upgraded in place, keeping its data")
    func upgradesOlderFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("u.sqlite")
        let v1 = try Self.version1()
        do {
            let store = try NewsStore(path: path, migrations: v1)
            try store.ingest(split: .train, news: [NewsArticle(id: NewsID("N1"), category: "c", subcategory: "s",
                                                               title: "Hello", abstract: "", url: "u")],
                             impressions: nil)
            #expect(try store.schemaVersion() == 1)
        }
        let store = try NewsStore(path: path, migrations: v1 + [Self.version2])
        #expect(try store.schemaVersion() == 2)
        #expect(try store.withConnection { try $0.rows("SELECT id, title_length FROM news") } == [[.text("N1"), .integer(5)]])
        #expect(try store.withConnection { try $0.article(NewsID("N1")) }?.title == "Hello")
        #expect(try store.withConnection { try $0.scalarInt("SELECT count(*) FROM news_vectors") } == 0)
        // Opening again with the same migrations changes nothing.
        let again = try NewsStore(path: path, migrations: v1 + [Self.version2])
        #expect(try again.schemaVersion() == 2)
    }

    @Test("a version-3 file's candidate rows are packed into their impressions; the candidates view reads them back")
    func packsCandidates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("v3.sqlite")
        let rows: [[SQLValue]] = [
            [.text("train"), .integer(7), .integer(0), .text("N-1"), .integer(1)],
            [.text("train"), .integer(7), .integer(1), .text("N2"), .integer(0)],
            [.text("test"), .integer(7), .integer(0), .text("N\"3"), .null],
        ]
        do {
            let store = try NewsStore(path: path, migrations: try Migration.bundled().filter { $0.version <= 3 })
            try store.write { database in
                for split in ["train", "test"] {
                    try database.execute("""
                        INSERT INTO impressions (split, impression_id, user, time, history, candidates, clicks)
                        VALUES (?1, 7, 'U1', 100, 'N1', 2, NULL)
                        """, [.text(split)])
                }
                try database.execute("""
                    INSERT INTO impressions (split, impression_id, user, time, history, candidates, clicks)
                    VALUES ('dev', 1, 'U2', 100, '', 0, 0)
                    """)
                for row in rows.reversed() {
                    try database.execute("INSERT INTO candidates VALUES (?1, ?2, ?3, ?4, ?5)", row)
                }
            }
        }
        let store = try NewsStore(path: path)
        #expect(try store.schemaVersion() == 4)
        #expect(try store.read { try $0.impression(split: .train, id: 7)?.candidates }
                == [Candidate(news: NewsID("N-1"), clicked: true), Candidate(news: NewsID("N2"), clicked: false)])
        #expect(try store.read { try $0.impression(split: .test, id: 7)?.candidates }
                == [Candidate(news: NewsID("N\"3"), clicked: nil)])
        #expect(try store.read { try $0.impression(split: .dev, id: 1)?.candidates } == [])
        #expect(try store.read { try $0.rows("SELECT * FROM candidates ORDER BY split DESC, impression_id, position") }
                == rows)
        #expect(try store.read { try $0.freshNews(since: 0) } == ["N\"3", "N-1", "N2"].map { NewsID($0) })
    }

    @Test("a file newer than the program is an error and is left alone")
    func rejectsNewerFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("n.sqlite")
        _ = try NewsStore(path: path, migrations: try Self.version1() + [Self.version2])
        #expect(throws: StoreError.databaseNewerThanProgram(path: path, fileVersion: 2, programVersion: 1)) {
            try NewsStore(path: path, migrations: try Self.version1())
        }
        #expect(try Database(path: path).userVersion() == 2)
    }

    @Test("a failing step leaves the file at the previous version with nothing half-applied")
    func failingStepRollsBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("f.sqlite")
        _ = try NewsStore(path: path, migrations: try Self.version1())
        let broken = Migration(version: 2, name: "002_broken.sql", sql: """
            CREATE TABLE half_done (x INTEGER);
            INSERT INTO no_such_table VALUES (1);
            """)
        #expect(throws: StoreError.self) { try NewsStore(path: path, migrations: try Self.version1() + [broken]) }
        let database = try Database(path: path)
        #expect(try database.userVersion() == 1)
        #expect(try database.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'") == 0)
    }

    @Test("migrations must be numbered 1…N; files are loaded by their NNN_ prefix")
    func numbering() throws {
        let one = Migration(version: 1, name: "001", sql: "CREATE TABLE a (x);")
        let three = Migration(version: 3, name: "003", sql: "CREATE TABLE c (x);")
        #expect(throws: StoreError.self) { try Migration.validate([one, three]) }
        #expect(throws: StoreError.self) { try Migration.validate([one, one]) }
        #expect(throws: StoreError.self) { try Migration.validate([]) }

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.file("002_second.sql", "CREATE TABLE b (x);")
        _ = try directory.file("001_first.sql", "CREATE TABLE a (x);")
        _ = try directory.file("README.md", "not a migration")
        _ = try directory.file("01_short.sql", "not a migration either")
        let loaded = try Migration.load(from: directory.url)
        #expect(loaded.map(\.version) == [1, 2])
        #expect(loaded.map(\.name) == ["001_first.sql", "002_second.sql"])
    }
}
