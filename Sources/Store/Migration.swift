import Foundation

/// One schema step: the SQL of `Schema/NNN_name.sql`, which upgrades a database at version `version - 1`
/// to version `version` (`PRAGMA user_version`).
public struct Migration: Hashable, Sendable {
    /// The version the database has after this step (NNN of the file name).
    public var version: Int
    /// The file name (or any label), for messages.
    public var name: String
    /// The SQL script: DDL and data moves, no transaction statements (the migrator wraps each step).
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations shipped with the program: `Schema/NNN_*.sql` from the `Store` resource bundle.
    public static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("Schema", isDirectory: true) else {
            throw StoreError.missingSchema("the Store resource bundle has no resource directory")
        }
        return try load(from: directory)
    }

    /// Reads every `NNN_*.sql` file of `directory` (other files are ignored) and checks their numbering.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError.missingSchema("cannot list \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            let prefix = name.prefix(while: \.isNumber)
            guard prefix.count == 3, name.dropFirst(3).first == "_", let version = Int(prefix) else { continue }
            let url = directory.appendingPathComponent(name)
            guard let sql = try? String(contentsOf: url, encoding: .utf8) else {
                throw StoreError.missingSchema("cannot read \(url.path)")
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        try validate(migrations)
        return migrations
    }

    /// Throws unless the versions are exactly 1, 2, …, N (in any order).
    public static func validate(_ migrations: [Migration]) throws {
        let versions = migrations.map(\.version).sorted()
        guard !versions.isEmpty else { throw StoreError.invalidMigrations("no NNN_*.sql files") }
        guard versions == Array(1...versions.count) else {
            throw StoreError.invalidMigrations("versions must be 1…N without gaps or duplicates, found \(versions)")
        }
    }
}

/// Brings a database's schema up to date by applying migrations in order, each in its own transaction together
/// with the new `PRAGMA user_version`, so a failed step leaves the file at the previous version.
public enum SchemaMigrator {
    /// Upgrades `database` from its `user_version` to the newest of `migrations`.
    ///
    /// - Returns: the versions before and after.
    /// - Throws: `StoreError.databaseNewerThanProgram` when the file is newer than the newest migration;
    ///   `StoreError.invalidMigrations` when the migrations are not numbered 1…N; SQLite errors of a step.
    @discardableResult
    public static func migrate(_ database: Database, migrations: [Migration]) throws -> (from: Int, to: Int) {
        try Migration.validate(migrations)
        let ordered = migrations.sorted { $0.version < $1.version }
        let newest = ordered.last?.version ?? 0
        let current = try database.userVersion()
        guard current <= newest else {
            throw StoreError.databaseNewerThanProgram(path: database.path, fileVersion: current, programVersion: newest)
        }
        for migration in ordered where migration.version > current {
            try database.transaction {
                // Re-check inside the write lock: another process may have migrated meanwhile.
                let version = try database.userVersion()
                guard version == migration.version - 1 else { return }
                do {
                    try database.executeScript(migration.sql)
                } catch let StoreError.sqlite(code, message, _) {
                    throw StoreError.sqlite(code: code, message: message, operation: "schema \(migration.name)")
                }
                try database.setUserVersion(migration.version)
            }
        }
        return (current, newest)
    }
}
