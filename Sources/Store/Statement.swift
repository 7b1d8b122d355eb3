import CSQLite

/// A prepared SQLite statement: prepared once, bound by 1-based parameter index, stepped, reset and reused.
///
/// Bindings survive `reset()` (SQLite keeps them), so a loop can bind a constant parameter once and rebind only
/// the varying ones. The statement owns its SQLite handle and finalizes it when the object is released. A statement
/// from `Database.prepare` keeps its connection alive; one from `Database.cachedStatement` belongs to the
/// connection's cache and must not be used after the connection is gone (the cache would otherwise keep its own
/// connection alive forever).
public final class Statement {
    /// The connection this statement belongs to.
    public unowned let database: Database
    /// The SQL text as prepared.
    public let sql: String
    private let handle: OpaquePointer
    /// The connection, held strongly by statements outside the connection's cache.
    private let owner: Database?
    /// Set while `Database.withStatement` lends the cached statement out.
    var isInUse = false

    init(database: Database, sql: String, handle: OpaquePointer, cached: Bool) {
        self.database = database
        self.sql = sql
        self.handle = handle
        owner = cached ? nil : database
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

    /// Binds UTF-8 bytes as text to parameter `index` (1-based); SQLite copies them.
    public func bind(utf8 bytes: [UInt8], at index: Int32) throws {
        let code = bytes.withUnsafeBytes { raw in
            // Empty text still needs a non-null pointer, or SQLite stores NULL.
            let start = (raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            return sqlite3_bind_text64(handle, index, start, sqlite3_uint64(raw.count), newsrec_sqlite_transient(),
                                       UInt8(SQLITE_UTF8))
        }
        try check(code, "bind")
    }

    /// Binds a blob to parameter `index` (1-based); SQLite copies the bytes.
    public func bind(blob value: [UInt8], at index: Int32) throws {
        try value.withUnsafeBytes { try bind(bytes: $0, at: index) }
    }

    /// Binds `values` as a blob of little-endian float32 to parameter `index` (1-based); SQLite copies the bytes.
    public func bind(floats values: ArraySlice<Float>, at index: Int32) throws {
        #if _endian(little)
        try values.withUnsafeBytes { try bind(bytes: $0, at: index) }
        #else
        try bind(blob: values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) },
                 at: index)
        #endif
    }

    /// The one blob binding: copies `bytes` into parameter `index` (1-based).
    private func bind(bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        // A zero-length blob still needs a non-null pointer, or SQLite stores NULL.
        let code = sqlite3_bind_blob64(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                       sqlite3_uint64(bytes.count), newsrec_sqlite_transient())
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
        withBlob(index) { Array($0) }
    }

    /// Calls `body` with the bytes of column `index` (0-based) of the current row (empty for NULL); the bytes are
    /// valid only inside `body`. The one place that reads a blob column.
    public func withBlob<Result>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows
        -> Result {
        let bytes = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeRawBufferPointer(start: count > 0 ? bytes : nil, count: count))
    }

    /// Column `index` (0-based) of the current row: a blob of `count` little-endian float32.
    ///
    /// - Throws: `StoreError.corruptValue` naming `table` and `key` when the blob has another length.
    public func floats(_ index: Int32, count: Int, table: String, key: String) throws -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        try appendFloats(index, count: count, to: &values, table: table, key: key)
        return values
    }

    /// Appends column `index` (0-based), a blob of `count` little-endian float32, to `values`.
    ///
    /// - Throws: `StoreError.corruptValue` naming `table` and `key` when the blob has another length.
    public func appendFloats(_ index: Int32, count: Int, to values: inout [Float], table: String, key: String) throws {
        try withBlob(index) { bytes in
            guard bytes.count == count * 4 else {
                throw StoreError.corruptValue(table: table, key: key,
                                              expected: "\(count) float32 (\(count * 4) bytes), found \(bytes.count) bytes")
            }
            Self.appendLittleEndian(bytes, zero: 0, to: &values) { Float(bitPattern: $0.bitPattern.byteSwapped) }
        }
    }

    /// Appends the little-endian 4-byte values of `bytes` (a whole number of them) to `values`.
    private static func appendLittleEndian<T: BitwiseCopyable>(_ bytes: UnsafeRawBufferPointer, zero: T,
                                                               to values: inout [T], swap: (T) -> T) {
        let count = bytes.count / MemoryLayout<T>.stride
        guard count > 0, let source = bytes.baseAddress else { return }
        let start = values.count
        values.append(contentsOf: repeatElement(zero, count: count))
        values.withUnsafeMutableBytes { destination in
            (destination.baseAddress! + start * MemoryLayout<T>.stride).copyMemory(from: source, byteCount: bytes.count)
        }
        #if !_endian(little)
        for i in start ..< start + count { values[i] = swap(values[i]) }
        #endif
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
