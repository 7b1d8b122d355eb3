import Foundation
import Testing
@testable import Store
import TestSupport

/// Writes that may be skipped when another connection holds the write lock, and closing a store's connections.
@Suite("Store locking")
struct LockingTests {
    @Test("writeIfAvailable gives up at once while another connection writes, and writes once it is free")
    func writeIfAvailable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("s.sqlite"), busyTimeout: 5)
        try store.withConnection { try $0.execute("CREATE TABLE t (x INTEGER)") }
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let writer = Thread {
            try? store.write { database in
                try database.execute("INSERT INTO t VALUES (1)")
                holding.signal()
                release.wait()
            }
        }
        writer.start()
        holding.wait()
        let started = ContinuousClock.now
        let skipped: Void? = try store.withConnection { database in
            try database.writeIfAvailable { try database.execute("INSERT INTO t VALUES (2)") }
        }
        #expect(skipped == nil)
        #expect(ContinuousClock.now - started < .seconds(2))   // not the 5 s busy timeout
        release.signal()
        let written: Void? = try store.withConnection { database in
            try database.writeIfAvailable(waiting: 5) { try database.execute("INSERT INTO t VALUES (3)") }
        }
        #expect(written != nil)
        #expect(try store.withConnection { try $0.scalarInt("SELECT sum(x) FROM t") } == 4)
        // The busy timeout is back to 5 s for ordinary writes.
        #expect(try store.withConnection { try $0.scalarInt("PRAGMA busy_timeout") } == 5000)
    }

    @Test("closeIdleConnections closes the pool: the WAL is checkpointed and removed; the store reopens on use")
    func closeIdleConnections() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("s.sqlite")
        let store = try NewsStore(path: path)
        try store.write { try $0.execute("CREATE TABLE t (x INTEGER)"); try $0.execute("INSERT INTO t VALUES (7)") }
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        store.closeIdleConnections()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(try store.withConnection { try $0.scalarInt("SELECT x FROM t") } == 7)
    }
}

/// Reading only the end of a long history column.
@Suite("History column")
struct HistoryColumnTests {
    @Test("the last N ids of a history column are the last N of all its ids")
    func lastIDs() {
        for text in ["", " ", "N1", "N1 N2", " N1  N2 ", "N1 N2 N3 N4 N5 N6", "  a b  c "] {
            let all = Database.splitHistory(text)
            for last in 0 ... 7 {
                #expect(Database.splitHistory(text, last: last) == Array(all.suffix(last)), "\(text) \(last)")
            }
        }
    }
}
