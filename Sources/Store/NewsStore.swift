import Foundation
import MIND

/// The newsrec SQLite store: news articles with their entities, impressions and candidates per split, the latest
/// click history of each user, and a log of ingest runs.
///
/// Opening a store creates the file when needed (page size 8192, WAL journal, `synchronous = NORMAL`) and brings
/// its schema up to date with the migrations (by default the bundled `Schema/NNN_*.sql`).
public final class NewsStore {
    /// The underlying connection, for queries the store has no method for.
    public let database: Database

    /// Opens or creates the store at `path` and applies any missing migrations.
    ///
    /// - Parameters:
    ///   - create: when false, a missing file is an error instead of a new empty store.
    ///   - migrations: the schema steps to apply; nil means the bundled `Schema/NNN_*.sql` files.
    /// - Throws: `StoreError` (SQLite failure, or a file whose schema is newer than `migrations`).
    public init(path: String, create: Bool = true, migrations: [Migration]? = nil) throws {
        let database = try Database(path: path, create: create)
        // page_size only takes effect before the first table exists and journal_mode cannot change inside a
        // transaction, so both run here, before the first migration creates anything.
        try database.executeScript("PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        try SchemaMigrator.migrate(database, migrations: migrations ?? Migration.bundled())
        self.database = database
    }

    /// The schema version of the file (`PRAGMA user_version`).
    public func schemaVersion() throws -> Int { try database.userVersion() }

    // MARK: - News

    /// The article with `id`, with its entities, or nil when no ingested news file defines it.
    public func article(_ id: NewsID) throws -> NewsArticle? {
        let statement = try database.prepare(SQL.selectArticle)
        try statement.bind(id.rawValue, at: 1)
        guard try statement.step() else { return nil }
        return NewsArticle(
            id: id, category: statement.string(0), subcategory: statement.string(1), title: statement.string(2),
            abstract: statement.string(3), url: statement.string(4),
            titleEntities: try EntityJSON.decode(statement.string(5), news: id, column: "title_entities"),
            abstractEntities: try EntityJSON.decode(statement.string(6), news: id, column: "abstract_entities"))
    }

    /// The number of rows of `news` (every article ever ingested).
    public func articleCount() throws -> Int { try database.scalarInt("SELECT count(*) FROM news") ?? 0 }

    /// The news whose title or abstract mentions the WikiData entity `wikidataID`, in id order.
    public func news(mentioning wikidataID: String) throws -> [NewsID] {
        let statement = try database.prepare(SQL.selectNewsMentioning)
        try statement.bind(wikidataID, at: 1)
        var ids: [NewsID] = []
        while try statement.step() { ids.append(NewsID(statement.string(0))) }
        return ids
    }

    // MARK: - Impressions

    /// The impression `id` of `split` with its history and candidates in file order, or nil when absent.
    public func impression(split: Split, id: Int) throws -> Impression? {
        let statement = try database.prepare(SQL.selectImpression)
        try statement.bind(split.rawValue, at: 1)
        try statement.bind(id, at: 2)
        guard try statement.step() else { return nil }
        let candidates = try database.prepare(SQL.selectCandidates)
        try candidates.bind(split.rawValue, at: 1)
        return try readImpression(statement, candidates: candidates)
    }

    /// Calls `body` with every impression of `split` in ImpressionID order (streaming; constant memory).
    public func forEachImpression(split: Split, _ body: (Impression) throws -> Void) throws {
        let statement = try database.prepare(SQL.selectImpressions)
        try statement.bind(split.rawValue, at: 1)
        let candidates = try database.prepare(SQL.selectCandidates)
        try candidates.bind(split.rawValue, at: 1)
        try database.transaction(.deferred) {
            while try statement.step() { try body(try readImpression(statement, candidates: candidates)) }
        }
    }

    /// Reads the impression at the current row of `statement` (columns: id, user, time, history).
    private func readImpression(_ statement: Statement, candidates: Statement) throws -> Impression {
        let id = statement.int(0)
        try candidates.bind(id, at: 2)
        defer { candidates.reset() }
        var list: [Candidate] = []
        while try candidates.step() {
            list.append(Candidate(news: NewsID(candidates.string(0)),
                                  clicked: candidates.isNull(1) ? nil : candidates.int(1) == 1))
        }
        return Impression(id: id, user: UserID(statement.string(1)), time: statement.int64(2),
                          history: Self.splitHistory(statement.string(3)), candidates: list)
    }

    static func splitHistory(_ text: String) -> [NewsID] {
        text.split(separator: " ").map { NewsID(String($0)) }
    }

    // MARK: - Users

    /// The latest known history of `user`: the history of their latest impression (by time, over all splits)
    /// followed by the clicks recorded after that impression. Nil when the user has no impression and no click.
    public func latestHistory(of user: UserID) throws -> UserHistory? {
        let snapshot = try database.prepare(SQL.selectUserHistory)
        try snapshot.bind(user.rawValue, at: 1)
        var history = UserHistory(user: user, news: [], time: Int64.min, split: nil, impressionID: nil)
        var found = false
        if try snapshot.step() {
            found = true
            history.split = Split(rawValue: snapshot.string(0))
            history.impressionID = snapshot.int(1)
            history.time = snapshot.int64(2)
            history.news = Self.splitHistory(snapshot.string(3))
        }
        let clicks = try database.prepare(SQL.selectClicksAfter)
        try clicks.bind(user.rawValue, at: 1)
        try clicks.bind(history.time, at: 2)
        while try clicks.step() {
            found = true
            history.news.append(NewsID(clicks.string(0)))
            history.time = max(history.time, clicks.int64(1))
        }
        return found ? history : nil
    }

    /// Appends a click of `user` on `news` at `time` (Unix seconds) to the user's history.
    public func recordClick(user: UserID, news: NewsID, time: Int64) throws {
        try database.execute(SQL.insertClick, [.text(user.rawValue), .text(news.rawValue), .integer(Int(time))])
    }
}

/// What the store knows a user has clicked, oldest first.
public struct UserHistory: Hashable, Sendable {
    public var user: UserID
    /// The latest impression's history followed by clicks recorded after it.
    public var news: [NewsID]
    /// The time of the latest impression or recorded click (Unix seconds).
    public var time: Int64
    /// Where the impression history came from (nil when the user only has recorded clicks).
    public var split: Split?
    public var impressionID: Int?
}

/// The store's DML. The DDL lives in `Schema/NNN_*.sql`; every statement here is prepared and bound.
enum SQL {
    static let selectArticle = """
        SELECT category, subcategory, title, abstract, url, title_entities, abstract_entities FROM news WHERE id = ?1
        """
    static let selectNewsMentioning = """
        SELECT DISTINCT news FROM news_entities WHERE wikidata_id = ?1 ORDER BY news
        """
    static let selectImpression = """
        SELECT impression_id, user, time, history FROM impressions WHERE split = ?1 AND impression_id = ?2
        """
    static let selectImpressions = """
        SELECT impression_id, user, time, history FROM impressions WHERE split = ?1 ORDER BY impression_id
        """
    static let selectCandidates = """
        SELECT news, label FROM candidates WHERE split = ?1 AND impression_id = ?2 ORDER BY position
        """
    static let selectUserHistory = """
        SELECT split, impression_id, time, history FROM user_histories WHERE user = ?1
        """
    static let selectClicksAfter = """
        SELECT news, time FROM clicks WHERE user = ?1 AND time > ?2 ORDER BY time, seq
        """
    static let insertClick = """
        INSERT INTO clicks (user, seq, news, time)
        VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM clicks WHERE user = ?1), ?2, ?3)
        """

    // Ingest
    static let upsertNews = """
        INSERT INTO news (id, category, subcategory, title, abstract, url, title_entities, abstract_entities)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (id) DO UPDATE SET category = excluded.category, subcategory = excluded.subcategory,
            title = excluded.title, abstract = excluded.abstract, url = excluded.url,
            title_entities = excluded.title_entities, abstract_entities = excluded.abstract_entities
        """
    static let deleteEntitiesOfNews = "DELETE FROM news_entities WHERE news = ?1"
    static let insertEntity = """
        INSERT INTO news_entities (news, field, position, label, type, wikidata_id, confidence, offsets, surface_forms)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """
    static let deleteSplitNews = "DELETE FROM split_news WHERE split = ?1"
    static let insertSplitNews = "INSERT OR IGNORE INTO split_news (split, news) VALUES (?1, ?2)"
    static let deleteImpressions = "DELETE FROM impressions WHERE split = ?1"
    static let deleteCandidates = "DELETE FROM candidates WHERE split = ?1"
    static let deleteReferences = "DELETE FROM news_references WHERE split = ?1"
    static let insertImpression = """
        INSERT INTO impressions (split, impression_id, user, time, history, candidates, clicks)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        """
    static let insertCandidate = """
        INSERT INTO candidates (split, impression_id, position, news, label) VALUES (?1, ?2, ?3, ?4, ?5)
        """
    static let insertReference = """
        INSERT INTO news_references (split, news, history_count, impression_count, click_count)
        VALUES (?1, ?2, ?3, ?4, ?5)
        """
    static let deleteUserHistories = "DELETE FROM user_histories"
    static let rebuildUserHistories = """
        INSERT INTO user_histories (user, split, impression_id, time, history)
        SELECT user, split, impression_id, time, history FROM (
            SELECT user, split, impression_id, time, history,
                   row_number() OVER (PARTITION BY user ORDER BY time DESC, split DESC, impression_id DESC) AS rank
            FROM impressions)
        WHERE rank = 1
        """
    static let unknownNews = """
        SELECT count(*), coalesce(sum(history_count > 0), 0), coalesce(sum(impression_count > 0), 0)
        FROM news_references AS r
        WHERE split = ?1 AND NOT EXISTS (SELECT 1 FROM news AS n WHERE n.id = r.news)
        """
    static let unknownNewsExamples = """
        SELECT news FROM news_references AS r
        WHERE split = ?1 AND NOT EXISTS (SELECT 1 FROM news AS n WHERE n.id = r.news)
        ORDER BY news LIMIT ?2
        """
    static let insertIngestRun = """
        INSERT INTO ingest_runs (split, news_file, behaviors_file, started_at, seconds, news_rows, impressions,
                                 candidates, skipped_lines, unknown_news)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """

    // Statistics
    static let splitImpressionStatistics = """
        SELECT count(*), count(DISTINCT user), coalesce(sum(candidates), 0),
               coalesce(sum(CASE WHEN clicks IS NOT NULL THEN candidates END), 0), coalesce(sum(clicks), 0)
        FROM impressions WHERE split = ?1
        """
    static let splitNewsRows = "SELECT count(*) FROM split_news WHERE split = ?1"
    static let splitReferencedNews = "SELECT count(*) FROM news_references WHERE split = ?1"
    static let userCount = "SELECT count(DISTINCT user) FROM impressions"
}
