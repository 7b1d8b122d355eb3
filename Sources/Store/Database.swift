import CSQLite

/// A connection to one SQLite database file.
///
/// Every statement is prepared and bound (`prepare`, `execute(_:_:)`); only trusted, constant SQL runs as a
/// script (`executeScript`, used for the schema files). Not safe to share between threads: give each thread its
/// own connection. The connection closes when the last reference (including its statements) goes away, or at
/// `close()`.
public final class Database {
    /// The path the database was opened with.
    public let path: String
    let handle: OpaquePointer
    private var isClosed = false
    private var savepointDepth = 0

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
        sqlite3_busy_timeout(connection, Int32(busyTimeout * 1000))
    }

    deinit { if !isClosed { sqlite3_close_v2(handle) } }

    /// Closes the connection. Statements still alive keep working until they are released (SQLite defers the close).
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        sqlite3_close_v2(handle)
    }

    /// Prepares one SQL statement.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Prepares, binds (parameters 1, 2, … from `values`) and runs one statement that returns no rows.
    public func execute(_ sql: String, _ values: [SQLValue] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(values)
        try statement.run()
    }

    /// Runs one statement with `values` bound and returns every row as an array of values.
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [[SQLValue]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.value($0) })
        }
        return rows
    }

    /// Runs a statement and returns the first column of its first row as an integer (nil when no row or NULL).
    public func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws -> Int? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int(0)
    }

    /// Runs a statement and returns the first column of its first row as text (nil when no row or NULL).
    public func scalarString(_ sql: String, _ values: [SQLValue] = []) throws -> String? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.string(0)
    }

    /// Runs a script of several statements without parameters: only for trusted, constant SQL (schema files).
    public func executeScript(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            throw StoreError.sqlite(code: code, message: message, operation: "script")
        }
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it throws.
    ///
    /// The outermost call begins with `kind` (`.immediate` by default: takes the write lock at once, so a busy
    /// database fails early rather than at the first write; `.deferred` for read-only work); nested calls use
    /// savepoints, so an inner failure that the caller catches undoes only the inner work.
    public func transaction<Result>(_ kind: TransactionKind = .immediate,
                                    _ body: () throws -> Result) throws -> Result {
        let nested = sqlite3_get_autocommit(handle) == 0
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let savepoint = "newsrec_savepoint_\(savepointDepth)"
        try executeScript(nested ? "SAVEPOINT \(savepoint)" : kind.beginStatement)
        do {
            let result = try body()
            try executeScript(nested ? "RELEASE \(savepoint)" : "COMMIT")
            return result
        } catch {
            if nested {
                try? executeScript("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
            } else if sqlite3_get_autocommit(handle) == 0 {
                try? executeScript("ROLLBACK")
            }
            throw error
        }
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
