import Foundation
import MIND

/// The ranking side of the store on one connection: the embedding cache (`Schema/002_ranking.sql`), users' click
/// histories, recorded clicks, fresh news and click popularity.
///
/// Statements are prepared once and reused, so a warm query costs a few B-tree lookups. Not thread-safe: give each
/// thread its own `RankingStore` (each opens its own connection; WAL lets readers run while one writer writes, and
/// the busy timeout makes concurrent writers wait instead of failing).
public final class RankingStore {
    /// The connection.
    public let database: Database
    private var statements: [String: Statement] = [:]

    /// Opens the store at `path` through `NewsStore` (creating and migrating it as needed) and tunes the
    /// connection for reads: 256 MiB memory map and a 64 MiB page cache.
    ///
    /// - Parameters:
    ///   - create: when false, a missing file is an error.
    ///   - busyTimeout: seconds a statement waits for another connection's write lock.
    public convenience init(path: String, create: Bool = true, busyTimeout: Double = 30) throws {
        let store = try NewsStore(path: path, create: create)
        try store.database.executeScript("PRAGMA busy_timeout = \(Int(busyTimeout * 1000))")
        try self.init(database: store.database)
    }

    /// Uses an open, migrated connection (e.g. `NewsStore.database`).
    public init(database: Database) throws {
        self.database = database
        try database.executeScript("PRAGMA mmap_size = 268435456; PRAGMA cache_size = -65536;")
    }

    /// The prepared statement for `sql`, reset with its bindings cleared.
    func statement(_ sql: String) throws -> Statement {
        if let statement = statements[sql] {
            statement.reset()
            statement.clearBindings()
            return statement
        }
        let statement = try database.prepare(sql)
        statements[sql] = statement
        return statement
    }

    // MARK: - Transactions

    /// Runs `body` in one read transaction (`BEGIN DEFERRED`): every query sees the same snapshot and the
    /// connection takes no write lock, so writers in other connections are not blocked. Nested calls join the
    /// outer transaction. Do not write inside it (a read snapshot cannot always be upgraded); use `write`.
    public func read<Result>(_ body: () throws -> Result) throws -> Result {
        if database.isInTransaction { return try body() }
        try database.executeScript("BEGIN DEFERRED")
        do {
            let result = try body()
            resetStatements()
            try database.executeScript("COMMIT")
            return result
        } catch {
            resetStatements()
            try? database.executeScript("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`, see `Database.transaction`).
    public func write<Result>(_ body: () throws -> Result) throws -> Result {
        let result = try database.transaction(.immediate, body)
        resetStatements()
        return result
    }

    /// Resets every cached statement, so none keeps a read cursor open past the end of a transaction.
    private func resetStatements() {
        for statement in statements.values { statement.reset() }
    }

    // MARK: - News

    /// Whether an ingested news file defines `news`.
    public func containsNews(_ news: NewsID) throws -> Bool {
        let statement = try statement(RankingSQL.newsExists)
        try statement.bind(news.rawValue, at: 1)
        defer { statement.reset() }
        return try statement.step()
    }

    /// The ids of `ids` that no ingested news file defines, in the order given (duplicates once).
    public func unknownNews(_ ids: [NewsID]) throws -> [NewsID] {
        var seen = Set<NewsID>()
        return try read { try ids.filter { try seen.insert($0).inserted && !containsNews($0) } }
    }

    /// Every news id of the store, sorted.
    public func allNewsIDs() throws -> [NewsID] {
        let statement = try statement(RankingSQL.selectAllNewsIDs)
        defer { statement.reset() }
        var ids: [NewsID] = []
        while try statement.step() { ids.append(NewsID(statement.string(0))) }
        return ids
    }

    /// The text columns of `news` (entities left empty), or nil when the store does not define it.
    public func articleText(_ news: NewsID) throws -> NewsArticle? {
        let statement = try statement(RankingSQL.selectArticleText)
        try statement.bind(news.rawValue, at: 1)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return NewsArticle(id: news, category: statement.string(0), subcategory: statement.string(1),
                           title: statement.string(2), abstract: statement.string(3), url: statement.string(4))
    }

    // MARK: - Histories and clicks

    /// The click history of `user`, oldest first: the history of the user's latest ingested impression followed by
    /// the clicks recorded after that impression's time (in time, then recording order). Nil when the store knows
    /// nothing of the user; an empty array when it knows the user but not a single click.
    ///
    /// - Parameter limit: keep only the last `limit` clicks (nil: all).
    public func history(of user: UserID, limit: Int? = nil) throws -> [NewsID]? {
        try read {
            let snapshot = try statement(RankingSQL.selectUserHistory)
            try snapshot.bind(user.rawValue, at: 1)
            var news: [NewsID] = []
            var found = false
            var after = Int64.min
            if try snapshot.step() {
                found = true
                after = snapshot.int64(0)
                news = snapshot.string(1).split(separator: " ").map { NewsID(String($0)) }
            }
            snapshot.reset()
            let clicks = try statement(RankingSQL.selectClicksAfter)
            try clicks.bind(user.rawValue, at: 1)
            try clicks.bind(after, at: 2)
            while try clicks.step() {
                found = true
                news.append(NewsID(clicks.string(0)))
            }
            clicks.reset()
            guard found else { return nil }
            if let limit, news.count > limit { news.removeFirst(news.count - limit) }
            return news
        }
    }

    /// Appends clicks to users' histories in one transaction: all are recorded, or none (on any error).
    public func recordClicks(_ clicks: [Click]) throws {
        try write {
            let insert = try statement(RankingSQL.insertClick)
            for click in clicks {
                try insert.bind(click.user.rawValue, at: 1)
                try insert.bind(click.news.rawValue, at: 2)
                try insert.bind(click.time, at: 3)
                try insert.run()
            }
        }
    }

    /// The number of recorded clicks (table `clicks`).
    public func recordedClickCount() throws -> Int {
        let statement = try statement(RankingSQL.countClicks)
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int(0)
    }

    // MARK: - Freshness and popularity

    /// The latest time of the data: the newest impression; the newest recorded click when there is no impression;
    /// nil when there is neither. (Impressions anchor it, so clicks recorded "now" against old data do not move
    /// the window of fresh news away from the impressions.)
    public func latestTime() throws -> Int64? {
        let statement = try statement(RankingSQL.latestTime)
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The time of the newest impression, nil when there is none.
    public func latestImpressionTime() throws -> Int64? {
        let statement = try statement(RankingSQL.latestImpressionTime)
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The news shown as candidates in impressions at or after `time`, sorted by id.
    public func freshNews(since time: Int64) throws -> [NewsID] {
        let statement = try statement(RankingSQL.selectFreshNews)
        try statement.bind(time, at: 1)
        defer { statement.reset() }
        var ids: [NewsID] = []
        while try statement.step() { ids.append(NewsID(statement.string(0))) }
        return ids
    }

    /// Click counts since `time`: clicked candidates of impressions at or after it plus clicks recorded at or
    /// after it, per news; most clicked first, ties by id. News without clicks are absent.
    public func clickPopularity(since time: Int64) throws -> [(news: NewsID, clicks: Int)] {
        let statement = try statement(RankingSQL.selectPopularity)
        try statement.bind(time, at: 1)
        defer { statement.reset() }
        var result: [(news: NewsID, clicks: Int)] = []
        while try statement.step() { result.append((NewsID(statement.string(0)), statement.int(1))) }
        return result
    }
}

/// One click of a user on a news at a time (Unix seconds).
public struct Click: Hashable, Sendable {
    public var user: UserID
    public var news: NewsID
    public var time: Int64

    public init(user: UserID, news: NewsID, time: Int64) {
        self.user = user
        self.news = news
        self.time = time
    }
}
