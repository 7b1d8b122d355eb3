import Foundation
import Testing
@testable import Store
import TestSupport

/// Every row of every table and view (except `ingest_runs`, a log that grows by design) in primary-key order, so two
/// snapshots are equal exactly when the stored data is.
func snapshot(_ database: Database, includingRuns: Bool = false) throws -> [String: [[SQLValue]]] {
    let tables = try database.rows(
        "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    var result: [String: [[SQLValue]]] = [:]
    for case let .text(table) in tables.map({ $0[0] }) where includingRuns || table != "ingest_runs" {
        // Table names come from sqlite_schema; identifiers cannot be bound, so they are quoted.
        let columns = try database.rows("SELECT name FROM pragma_table_info(?1) ORDER BY cid", [.text(table)])
        let order = (1...columns.count).map(String.init).joined(separator: ", ")
        result[table] = try database.rows("SELECT * FROM \"\(table)\" ORDER BY \(order)")
    }
    return result
}

/// `snapshot` of the store file, read on one of its connections.
func snapshot(_ store: NewsStore, includingRuns: Bool = false) throws -> [String: [[SQLValue]]] {
    try store.read { try snapshot($0, includingRuns: includingRuns) }
}
