import MIND

/// Dataset reads for training and evaluation.
extension Database {
    /// Calls `body` with the id and title of every ingested news, in the order they were first ingested, in one
    /// read transaction.
    public func forEachTitle(_ body: (NewsID, String) throws -> Void) throws {
        try read {
            // Not the cached statement: `body` may query this connection while the iteration is open.
            let statement = try prepare(SQL.selectTitles)
            while try statement.step() { try body(NewsID(statement.string(0)), statement.string(1)) }
        }
    }
}
