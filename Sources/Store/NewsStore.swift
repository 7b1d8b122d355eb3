import Foundation
import MIND

/// The newsrec SQLite store — the one facade over a store file, and the one place that opens connections to it.
///
/// It owns a pool of `Database` connections (one per concurrent caller, opened on demand and kept for reuse) and
/// lends them out: `read { db in … }` runs a consistent snapshot, `write { db in … }` a write transaction (the lock
/// taken at once), `withConnection { db in … }` lends a connection without a transaction (its repository methods
/// then open their own). What a store holds — articles, impressions, the ingest log, statistics, histories and
/// clicks, the embedding cache — is read and written through the repository methods of `Database`.
///
/// Thread-safe: any number of threads may call it at once (each gets its own connection), while other processes
/// ingest or record clicks (WAL journal; a statement waits up to `busyTimeout` for another connection's write
/// lock). Opening a store creates the file when needed (page size 8192, WAL journal) and brings its schema up to
/// date with the migrations (by default the bundled `Schema/NNN_*.sql`).
public final class NewsStore: @unchecked Sendable {
    /// The store file, as given.
    public let path: String
    /// Seconds a statement waits for another connection's lock before failing.
    public let busyTimeout: Double
    private let lock = NSLock()
    private var idle: [Database] = []

    /// Opens or creates the store at `path` and applies any missing migrations.
    ///
    /// - Parameters:
    ///   - create: when false, a missing file is an error instead of a new empty store.
    ///   - migrations: the schema steps to apply; nil means the bundled `Schema/NNN_*.sql` files.
    ///   - busyTimeout: seconds a statement waits for another connection's write lock (5; the ranker and the
    ///     click command, which share the file with long ingests, use 30).
    /// - Throws: `StoreError` (SQLite failure, or a file whose schema is newer than `migrations`).
    public init(path: String, create: Bool = true, migrations: [Migration]? = nil, busyTimeout: Double = 5) throws {
        let database = try Database(path: path, create: create, busyTimeout: busyTimeout)
        // page_size only takes effect before the first table exists and journal_mode cannot change inside a
        // transaction, so both run here, before the first migration creates anything.
        try database.executeScript("PRAGMA page_size = 8192; PRAGMA journal_mode = WAL;")
        try Self.configure(database)
        try SchemaMigrator.migrate(database, migrations: migrations ?? Migration.bundled())
        self.path = path
        self.busyTimeout = busyTimeout
        idle = [database]
    }

    /// The settings of every connection: `synchronous = NORMAL` (safe with WAL), a 256 MiB memory map and a
    /// 64 MiB page cache (which also keeps an ingest's B-tree pages in memory instead of spilling them to the WAL).
    private static func configure(_ database: Database) throws {
        try database.executeScript("PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 268435456; "
                                   + "PRAGMA cache_size = \(pageCacheSize);")
    }

    /// `PRAGMA cache_size` of every connection: negative = KiB, so 64 MiB.
    static let pageCacheSize = -65_536

    // MARK: - Connections and transactions

    /// Lends `body` an idle connection of the pool (opening one when none is idle) and takes it back afterwards.
    ///
    /// The connection is `body`'s alone until it returns; do not keep it or hand it to another thread. Calling
    /// the store again inside `body` borrows a second connection (another snapshot).
    @discardableResult
    public func withConnection<Result>(_ body: (Database) throws -> Result) throws -> Result {
        let database = try lock.withLock { idle.popLast() } ?? openConnection()
        defer { lock.withLock { idle.append(database) } }
        return try body(database)
    }

    /// Runs `body` in a read transaction on a pooled connection (`Database.read`): one consistent snapshot,
    /// no write lock.
    @discardableResult
    public func read<Result>(_ body: (Database) throws -> Result) throws -> Result {
        try withConnection { database in try database.read { try body(database) } }
    }

    /// Runs `body` in a write transaction on a pooled connection (`Database.write`): everything or nothing.
    @discardableResult
    public func write<Result>(_ body: (Database) throws -> Result) throws -> Result {
        try withConnection { database in try database.write { try body(database) } }
    }

    /// Closes every idle connection of the pool. Connections lent out stay open until they come back; a later call
    /// opens new ones as needed. When the last connection to the file closes, SQLite checkpoints the WAL into the
    /// file and removes it, so a service calls this when it stops to leave the store closed and complete.
    public func closeIdleConnections() {
        let closing = lock.withLock { () -> [Database] in
            defer { idle.removeAll() }
            return idle
        }
        for database in closing { database.close() }
    }

    /// Deletes the store file at `path` with SQLite's write-ahead log and shared-memory files beside it (`-wal`,
    /// `-shm`); files that do not exist are skipped. For a store no connection has open any more.
    public static func removeFiles(at path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The schema version of the file (`PRAGMA user_version`).
    public func schemaVersion() throws -> Int { try withConnection { try $0.userVersion() } }

    /// A new connection to the migrated file, configured like the first.
    private func openConnection() throws -> Database {
        let database = try Database(path: path, create: false, busyTimeout: busyTimeout)
        try Self.configure(database)
        return database
    }
}
