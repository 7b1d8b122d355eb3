import MIND

/// Read queries for training and evaluation: every title in ingest order, and which splits hold impressions.
extension NewsStore {
    /// Calls `body` with the id and title of every ingested news, in the order they were first ingested.
    public func forEachTitle(_ body: (NewsID, String) throws -> Void) throws {
        let statement = try database.prepare(DatasetSQL.selectTitles)
        try database.transaction(.deferred) {
            while try statement.step() { try body(NewsID(statement.string(0)), statement.string(1)) }
        }
    }

    /// The splits that have at least one impression, in `Split.allCases` order.
    public func splitsWithImpressions() throws -> [Split] {
        let statement = try database.prepare(DatasetSQL.selectSplits)
        var found = Set<String>()
        while try statement.step() { found.insert(statement.string(0)) }
        return Split.allCases.filter { found.contains($0.rawValue) }
    }

    /// The number of impressions of `split`.
    public func impressionCount(split: Split) throws -> Int {
        let statement = try database.prepare(DatasetSQL.countImpressions)
        try statement.bind(split.rawValue, at: 1)
        return try statement.step() ? statement.int(0) : 0
    }
}

/// The statements behind `NewsStore`'s dataset queries.
enum DatasetSQL {
    static let selectTitles = "SELECT id, title FROM news ORDER BY rowid"
    static let selectSplits = "SELECT DISTINCT split FROM impressions"
    static let countImpressions = "SELECT count(*) FROM impressions WHERE split = ?1"
}
