import CSQLite

/// A prepared SQLite statement: prepared once, bound by 1-based parameter index, stepped, reset and reused.
///
/// Bindings survive `reset()` (SQLite keeps them), so a loop can bind a constant parameter once and rebind only
/// the varying ones. The statement is finalized when the object is released; it keeps its `Database` alive.
public final class Statement {
    /// The connection this statement belongs to (kept alive while the statement exists).
    public let database: Database
    /// The SQL text as prepared.
    public let sql: String
    let handle: OpaquePointer

    init(database: Database, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw database.error(code: code, operation: "prepare \(sql)")
        }
        self.database = database
        self.sql = sql
        self.handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: - Binding

    /// Binds a 64-bit integer to parameter `index` (1-based).
    public func bind(_ value: Int, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, Int64(value)), "bind")
    }

    /// Binds a 64-bit integer to parameter `index` (1-based).
    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value), "bind")
    }

    /// Binds a double to parameter `index` (1-based).
    public func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value), "bind")
    }

    /// Binds UTF-8 text to parameter `index` (1-based); SQLite copies it.
    public func bind(_ value: String, at index: Int32) throws {
        let code = value.withCString { sqlite3_bind_text(handle, index, $0, -1, newsrec_sqlite_transient()) }
        try check(code, "bind")
    }

    /// Binds a blob to parameter `index` (1-based); SQLite copies the bytes.
    public func bind(blob value: [UInt8], at index: Int32) throws {
        let code = value.withUnsafeBytes { bytes in
            // A zero-length blob still needs a non-null pointer, or SQLite stores NULL.
            sqlite3_bind_blob64(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                sqlite3_uint64(bytes.count), newsrec_sqlite_transient())
        }
        try check(code, "bind")
    }

    /// Binds NULL to parameter `index` (1-based).
    public func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index), "bind")
    }

    /// Binds `value`, or NULL when it is nil, to parameter `index` (1-based).
    public func bind(_ value: SQLValue, at index: Int32) throws {
        switch value {
        case .null: try bindNull(at: index)
        case let .integer(integer): try bind(integer, at: index)
        case let .real(real): try bind(real, at: index)
        case let .text(text): try bind(text, at: index)
        case let .blob(bytes): try bind(blob: bytes, at: index)
        }
    }

    /// Binds `values` to parameters 1, 2, … in order.
    public func bind(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Sets every parameter back to NULL.
    public func clearBindings() { sqlite3_clear_bindings(handle) }

    // MARK: - Running

    /// Advances to the next row. Returns true when a row is available, false when the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(code: code, operation: sql)
        }
    }

    /// Makes the statement ready to run again; bindings are kept.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Runs a statement that returns no rows (INSERT/UPDATE/DELETE), then resets it for reuse.
    public func run() throws {
        defer { reset() }
        while try step() {}
    }

    // MARK: - Columns of the current row

    /// The number of columns of the result.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name of result column `index` (0-based).
    public func columnName(_ index: Int32) -> String { String(cString: sqlite3_column_name(handle, index)) }

    /// Whether column `index` (0-based) of the current row is NULL.
    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` (0-based) as an integer (0 for NULL).
    public func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(handle, index)) }

    /// Column `index` (0-based) as a 64-bit integer (0 for NULL).
    public func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` (0-based) as a double (0 for NULL).
    public func double(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` (0-based) as text ("" for NULL).
    public func string(_ index: Int32) -> String {
        guard let text = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Column `index` (0-based) as bytes (empty for NULL).
    public func blob(_ index: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, index) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, index))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Column `index` (0-based) as a typed value.
    public func value(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(int(index))
        case SQLITE_FLOAT: return .real(double(index))
        case SQLITE_TEXT: return .text(string(index))
        case SQLITE_BLOB: return .blob(blob(index))
        default: return .null
        }
    }

    private func check(_ code: Int32, _ what: String) throws {
        guard code == SQLITE_OK else { throw database.error(code: code, operation: "\(what) in \(sql)") }
    }
}

/// A value bound to or read from SQLite.
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int)
    case real(Double)
    case text(String)
    case blob([UInt8])
}
