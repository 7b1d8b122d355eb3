/// An error of the SQLite store: a failed SQLite call (with SQLite's own message), a schema the program
/// cannot handle, or a stored value that does not decode.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// SQLite returned `code` for `operation`; `message` is `sqlite3_errmsg` at that moment.
    case sqlite(code: Int32, message: String, operation: String)
    /// The database file's `PRAGMA user_version` is newer than the newest migration this program knows.
    case databaseNewerThanProgram(path: String, fileVersion: Int, programVersion: Int)
    /// The set of migrations is not numbered 1, 2, …, N without gaps or duplicates.
    case invalidMigrations(String)
    /// The schema files could not be found or read from the bundle.
    case missingSchema(String)
    /// A stored value does not have the expected form (e.g. entity JSON that does not decode).
    case corruptValue(table: String, key: String, expected: String)

    public var description: String {
        switch self {
        case let .sqlite(code, message, operation):
            return "SQLite error \(code) (\(message)) in \(operation)"
        case let .databaseNewerThanProgram(path, fileVersion, programVersion):
            return "\(path): database schema version \(fileVersion) is newer than this program supports "
                + "(\(programVersion)); use a newer newsrec"
        case let .invalidMigrations(reason):
            return "invalid schema migrations: \(reason)"
        case let .missingSchema(reason):
            return "schema files missing: \(reason)"
        case let .corruptValue(table, key, expected):
            return "corrupt value in table \(table) for \(key): expected \(expected)"
        }
    }
}
