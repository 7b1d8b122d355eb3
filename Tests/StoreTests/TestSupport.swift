import Foundation
import Testing
@testable import Store

/// Locates files under the package's top-level `Fixtures/` directory.
enum Fixture {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // StoreTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // package root
        .appendingPathComponent("Fixtures")

    static func sample(_ name: String) -> URL { root.appendingPathComponent("sample").appendingPathComponent(name) }
    static func bad(_ name: String) -> URL { root.appendingPathComponent("bad").appendingPathComponent(name) }
}

/// A temporary directory for database files (WAL needs a real file), removed at `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("StoreTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to a file in the directory and returns its URL.
    func file(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Every row of every table (except `ingest_runs`, a log that grows by design) in primary-key order, so two
/// snapshots are equal exactly when the stored data is.
func snapshot(_ database: Database, includingRuns: Bool = false) throws -> [String: [[SQLValue]]] {
    let tables = try database.rows(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    var result: [String: [[SQLValue]]] = [:]
    for case let .text(table) in tables.map({ $0[0] }) where includingRuns || table != "ingest_runs" {
        // Table names come from sqlite_schema; identifiers cannot be bound, so they are quoted.
        let columns = try database.rows("SELECT name FROM pragma_table_info(?1) ORDER BY cid", [.text(table)])
        let order = (1...columns.count).map(String.init).joined(separator: ", ")
        result[table] = try database.rows("SELECT * FROM \"\(table)\" ORDER BY \(order)")
    }
    return result
}
