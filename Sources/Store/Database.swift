import CSQLite

/// One connection to one SQLite database file: the only type that holds a raw SQLite connection handle.
///
/// Every statement is prepared and bound (`prepare`, `cachedStatement`, `execute(_:_:)`); only trusted, constant
/// SQL runs as a script (`executeScript`, used for the schema files and pragmas). Transactions are closure-scoped:
/// `read { }` (a consistent snapshot), `write { }` (takes the write lock at once), or `transaction(_:_:)`;
/// nested writes become savepoints. The repository methods of the store are extensions of this type, grouped by
/// concern (`Database+Articles.swift`, `Database+Ingest.swift`, …); each one runs in the caller's transaction or,
/// when called outside one, in its own.
///
/// Not safe to share between threads: `NewsStore` hands each connection of its pool to one caller at a time. The
/// connection closes when the last reference (including its statements) goes away, or at `close()`.
public final class Database {
    /// The path the database was opened with.
    public let path: String
    private let handle: OpaquePointer
    private var isClosed = false
    private var savepointDepth = 0
    /// Milliseconds a statement waits for another connection's lock (`sqlite3_busy_timeout`).
    private let busyMilliseconds: Int32
    /// Prepared statements by SQL text, reused by `cachedStatement`.
    private var statementCache: [String: Statement] = [:]

    /// Opens (and creates, when `create` is true) the database file at `path`.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a statement waits for another connection's lock before failing, in seconds.
    public init(path: String, create: Bool = true, busyTimeout: Double = 5) throws {
        var connection: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if create { flags |= SQLITE_OPEN_CREATE }
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(connection)
            throw StoreError.sqlite(code: code, message: message, operation: "open \(path)")
        }
        self.path = path
        self.handle = connection
        busyMilliseconds = Int32(busyTimeout * 1000)
        sqlite3_busy_timeout(connection, busyMilliseconds)
    }

    deinit { if !isClosed { sqlite3_close_v2(handle) } }

    /// Closes the connection. Statements still alive keep working until they are released (SQLite defers the close).
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: - Statements

    /// Prepares one SQL statement (a new one on every call; see `cachedStatement` for reuse). The statement keeps
    /// the connection alive.
    public func prepare(_ sql: String) throws -> Statement {
        try prepare(sql, cached: false)
    }

    private func prepare(_ sql: String, cached: Bool) throws -> Statement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw error(code: code, operation: "prepare \(sql)")
        }
        return Statement(database: self, sql: sql, handle: statement, cached: cached)
    }

    /// The connection's prepared statement for `sql`, reset and with its bindings cleared: prepared on first use,
    /// then reused, so a warm query costs no parsing. Every cached statement is reset when the outermost
    /// transaction ends. It belongs to the connection: do not keep it beyond the connection's life.
    ///
    /// While the cached statement is in use (inside `withStatement`), a request for the same SQL gets a fresh,
    /// uncached statement, so a nested use never disturbs an outer iteration.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            guard !statement.isInUse else { return try prepare(sql) }
            statement.reset()
            statement.clearBindings()
            return statement
        }
        let statement = try prepare(sql, cached: true)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` with the cached statement for `sql` and resets it afterwards, so that no read cursor stays
    /// open (an open cursor outside a transaction would pin an old snapshot).
    public func withStatement<Result>(_ sql: String, _ body: (Statement) throws -> Result) throws -> Result {
        let statement = try cachedStatement(sql)
        statement.isInUse = true
        defer {
            statement.isInUse = false
            statement.reset()
        }
        return try body(statement)
    }

    /// Prepares, binds (parameters 1, 2, … from `values`) and runs one statement that returns no rows.
    public func execute(_ sql: String, _ values: [SQLValue] = []) throws {
        try withStatement(sql) { statement in
            try statement.bind(values)
            try statement.run()
        }
    }

    /// Runs one statement with `values` bound and returns every row as an array of values.
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        try withStatement(sql) { statement in
            try statement.bind(values)
            var rows: [[SQLValue]] = []
            while try statement.step() {
                rows.append((0..<statement.columnCount).map { statement.value($0) })
            }
            return rows
        }
    }

    /// Runs a statement and returns the first column of its first row as an integer (nil when no row or NULL).
    public func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws -> Int? {
        try withStatement(sql) { statement in
            try statement.bind(values)
            guard try statement.step(), !statement.isNull(0) else { return nil }
            return statement.int(0)
        }
    }

    /// Runs a statement and returns the first column of its first row as text (nil when no row or NULL).
    public func scalarString(_ sql: String, _ values: [SQLValue] = []) throws -> String? {
        try withStatement(sql) { statement in
            try statement.bind(values)
            guard try statement.step(), !statement.isNull(0) else { return nil }
            return statement.string(0)
        }
    }

    /// Runs a statement that returns one row (a row of counts) and returns its columns as integers (0 for NULL or
    /// a value that is not an integer).
    func integerRow(_ sql: String, _ values: [SQLValue] = []) throws -> [Int] {
        try rows(sql, values)[0].map { value in
            if case let .integer(number) = value { number } else { 0 }
        }
    }

    /// Runs a statement and returns the first column of every row whose value there is text, in row order.
    func textColumn(_ sql: String, _ values: [SQLValue] = []) throws -> [String] {
        try rows(sql, values).compactMap { row in
            if case let .text(text) = row[0] { text } else { nil }
        }
    }

    /// Runs a script of several statements without parameters: only for trusted, constant SQL (schema files,
    /// pragmas).
    public func executeScript(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            throw StoreError.sqlite(code: code, message: message, operation: "script")
        }
    }

    // MARK: - Transactions

    /// Runs `body` in a read transaction (`BEGIN DEFERRED`): every query sees the same snapshot and the connection
    /// takes no write lock, so writers in other connections are not blocked. Inside another transaction it joins
    /// that one. Do not write inside it (a read snapshot cannot always be upgraded); use `write`.
    public func read<Result>(_ body: () throws -> Result) throws -> Result {
        if isInTransaction { return try body() }
        return try transaction(.deferred, body)
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`; a savepoint when nested): commits when it returns,
    /// rolls back and rethrows when it throws.
    public func write<Result>(_ body: () throws -> Result) throws -> Result {
        try transaction(.immediate, body)
    }

    /// Runs `body` in a write transaction if the write lock can be had within `wait` seconds; returns nil, having
    /// run nothing, when another connection (another process's ingest, say) holds it longer. For writes that may
    /// be skipped without harm, such as caching a vector a query has just computed: the query need not wait for
    /// the lock. Inside another transaction it is an ordinary nested `write`.
    public func writeIfAvailable<Result>(waiting wait: Double = 0.005, _ body: () throws -> Result) throws -> Result? {
        if isInTransaction { return try write(body) }
        sqlite3_busy_timeout(handle, Int32(wait * 1000))
        var began = false
        defer { if !began { sqlite3_busy_timeout(handle, busyMilliseconds) } }
        do {
            return try transaction(.immediate) {
                began = true
                sqlite3_busy_timeout(handle, busyMilliseconds)
                return try body()
            }
        } catch let StoreError.sqlite(code, _, _) where !began && code & 0xff == SQLITE_BUSY {
            return nil
        }
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it throws.
    ///
    /// The outermost call begins with `kind` (`.immediate` by default: takes the write lock at once, so a busy
    /// database fails early rather than at the first write; `.deferred` for read-only work); nested calls use
    /// savepoints, so an inner failure that the caller catches undoes only the inner work. When the outermost
    /// transaction ends, every cached statement is reset.
    public func transaction<Result>(_ kind: TransactionKind = .immediate,
                                    _ body: () throws -> Result) throws -> Result {
        let nested = isInTransaction
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let savepoint = "newsrec_savepoint_\(savepointDepth)"
        try control(nested ? "SAVEPOINT \(savepoint)" : kind.beginStatement)
        do {
            let result = try body()
            if nested {
                try control("RELEASE \(savepoint)")
            } else {
                resetCachedStatements()
                try control("COMMIT")
            }
            return result
        } catch {
            if nested {
                try? control("ROLLBACK TO \(savepoint)")
                try? control("RELEASE \(savepoint)")
            } else {
                resetCachedStatements()
                if isInTransaction { try? control("ROLLBACK") }
            }
            throw error
        }
    }

    /// Runs a transaction-control statement (constant text, cached like any other statement).
    private func control(_ sql: String) throws {
        try withStatement(sql) { try $0.run() }
    }

    /// Resets every cached statement, so none keeps a read cursor open past the end of a transaction.
    private func resetCachedStatements() {
        for statement in statementCache.values where !statement.isInUse { statement.reset() }
    }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The number of rows changed by the most recent INSERT/UPDATE/DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// `PRAGMA user_version`: the schema version stored in the file header.
    public func userVersion() throws -> Int { try scalarInt("PRAGMA user_version") ?? 0 }

    /// Sets `PRAGMA user_version`. (A pragma takes no bound parameters; the value is an integer we format.)
    public func setUserVersion(_ version: Int) throws {
        try executeScript("PRAGMA user_version = \(version)")
    }

    func error(code: Int32, operation: String) -> StoreError {
        .sqlite(code: code, message: String(cString: sqlite3_errmsg(handle)), operation: operation)
    }
}

/// How the outermost transaction takes its locks.
public enum TransactionKind: Sendable {
    /// `BEGIN IMMEDIATE`: the write lock is taken at once (for transactions that write).
    case immediate
    /// `BEGIN DEFERRED`: locks are taken when first needed (for consistent reads).
    case deferred

    var beginStatement: String {
        switch self {
        case .immediate: "BEGIN IMMEDIATE"
        case .deferred: "BEGIN DEFERRED"
        }
    }
}
