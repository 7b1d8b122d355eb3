import Foundation
import MIND
import Testing
@testable import Store
import TestSupport

@Suite("SQLite wrapper")
struct DatabaseTests {
    @Test("binds and reads back integers, doubles, text, blobs and NULL")
    func bindRoundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database(path: directory.path("a.sqlite"))
        try database.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)")
        let insert = try database.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)")
        try insert.bind(Int.min, at: 1)
        try insert.bind(-0.1, at: 2)
        try insert.bind("tab\tquote' \"é 東京 \u{1F600}", at: 3)
        try insert.bind(blob: [0, 255, 7, 0], at: 4)
        try insert.bindNull(at: 5)
        try insert.run()
        // Reuse after reset: bindings persist, so only parameter 1 changes.
        try insert.bind(Int.max, at: 1)
        try insert.bind(blob: [], at: 4)
        try insert.run()

        let rows = try database.rows("SELECT i, r, s, b, n, typeof(b) FROM t ORDER BY rowid")
        #expect(rows.count == 2)
        #expect(rows[0] == [.integer(Int.min), .real(-0.1), .text("tab\tquote' \"é 東京 \u{1F600}"),
                            .blob([0, 255, 7, 0]), .null, .text("blob")])
        #expect(rows[1][0] == .integer(Int.max))
        #expect(rows[1][2] == rows[0][2])
        #expect(rows[1][5] == .text("blob"))   // an empty blob stays a blob, not NULL

        let select = try database.prepare("SELECT i, r, s, b, n FROM t WHERE i = ?1")
        try select.bind(Int.min, at: 1)
        #expect(try select.step())
        #expect(select.int(0) == Int.min)
        #expect(select.double(1) == -0.1)
        #expect(select.string(2) == "tab\tquote' \"é 東京 \u{1F600}")
        #expect(select.blob(3) == [0, 255, 7, 0])
        #expect(select.isNull(4) && !select.isNull(0))
        #expect(select.columnName(2) == "s")
        #expect(try !select.step())
    }

    @Test("a transaction commits on return, rolls back and rethrows on error")
    func transactions() throws {
        struct Boom: Error {}
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database(path: directory.path("t.sqlite"))
        try database.execute("CREATE TABLE t (x INTEGER)")
        let value = try database.transaction {
            try database.execute("INSERT INTO t VALUES (?1)", [.integer(1)])
            return 42
        }
        #expect(value == 42)
        #expect(throws: Boom.self) {
            try database.transaction {
                try database.execute("INSERT INTO t VALUES (?1)", [.integer(2)])
                throw Boom()
            }
        }
        #expect(!database.isInTransaction)
        #expect(try database.rows("SELECT x FROM t") == [[.integer(1)]])

        // A nested failure that the outer body catches undoes only the inner work.
        try database.transaction {
            try database.execute("INSERT INTO t VALUES (?1)", [.integer(3)])
            _ = try? database.transaction {
                try database.execute("INSERT INTO t VALUES (?1)", [.integer(4)])
                throw Boom()
            }
        }
        #expect(try database.rows("SELECT x FROM t ORDER BY x") == [[.integer(1)], [.integer(3)]])
    }

    @Test("errors carry SQLite's message and code")
    func errors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database(path: directory.path("e.sqlite"))
        do {
            _ = try database.prepare("SELECT * FROM missing_table")
            Issue.record("expected an error")
        } catch let StoreError.sqlite(code, message, operation) {
            #expect(code == 1)
            #expect(message.contains("no such table: missing_table"))
            #expect(operation.contains("SELECT * FROM missing_table"))
        }
        try database.execute("CREATE TABLE u (k TEXT PRIMARY KEY)")
        try database.execute("INSERT INTO u VALUES (?1)", [.text("a")])
        do {
            try database.execute("INSERT INTO u VALUES (?1)", [.text("a")])
            Issue.record("expected a constraint error")
        } catch let StoreError.sqlite(code, message, _) {
            #expect(code & 0xff == 19)
            #expect(message.contains("UNIQUE constraint failed: u.k"))
        }
        #expect(throws: StoreError.self) { try Database(path: directory.path("absent.sqlite"), create: false) }
    }

    @Test("a store's connections close when the store goes away, cached statements and all")
    func connectionsAreReleased() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        weak var connection: Database?
        do {
            let store = try NewsStore(path: directory.path("c.sqlite"))
            try store.ingest(split: .dev, news: IngestTests.articles, impressions: IngestTests.impressions)
            try store.read { database in
                connection = database
                _ = try database.statistics()
                _ = try database.latestHistory(of: UserID("U1"))
            }
            #expect(connection != nil)
        }
        #expect(connection == nil)
    }

    @Test("a new store has page size 8192, WAL journal and the busy timeout")
    func pragmas() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("p.sqlite"))
        #expect(try store.withConnection { try $0.scalarInt("PRAGMA page_size") } == 8192)
        #expect(try store.withConnection { try $0.scalarString("PRAGMA journal_mode") } == "wal")
        #expect(try store.withConnection { try $0.scalarInt("PRAGMA busy_timeout") } == 5000)
        #expect(try store.schemaVersion() == Migration.bundled().count)
    }
}
