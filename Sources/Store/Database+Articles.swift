import Foundation
import MIND

/// A stored news whose title changed: its cached news vectors (every model) were dropped.
public struct TitleChange: Hashable, Sendable, CustomStringConvertible {
    public var news: NewsID
    public var oldTitle: String
    public var newTitle: String

    /// `N123: "old title" → "new title"`.
    public var description: String { "\(news): \"\(oldTitle)\" → \"\(newTitle)\"" }
}

/// What an upsert of articles changed (`Database.upsertArticles`).
public struct ArticleChanges: Equatable, Sendable {
    /// Ids the store did not hold before, in the order given.
    public var inserted: [NewsID] = []
    /// Stored news whose row changed in any column (title, abstract, category, url, entities, …), in order.
    public var updated: [NewsID] = []
    /// Of `updated`, those whose title — the news encoder's input — changed, with both titles.
    public var titleChanges: [TitleChange] = []
    /// Cached vectors dropped because of the title changes: news vectors (over all models) and user vectors.
    public var invalidation = CacheInvalidation()

    public init() {}
}

/// The cached vectors one change of titles dropped.
public struct CacheInvalidation: Equatable, Sendable {
    /// News vectors deleted, counted over all models.
    public var newsVectors = 0
    /// User vectors deleted (of users whose history holds a retitled news), counted over all models.
    public var userVectors = 0

    public init(newsVectors: Int = 0, userVectors: Int = 0) {
        self.newsVectors = newsVectors
        self.userVectors = userVectors
    }
}

extension Database {
    // MARK: - Reading articles

    /// The article with `id`, or nil when no ingested news file defines it.
    ///
    /// - Parameter entities: false leaves the entity lists empty (skips decoding their JSON).
    /// - Throws: `StoreError.corruptValue` when a stored entity list does not decode.
    public func article(_ id: NewsID, entities: Bool = true) throws -> NewsArticle? {
        try withStatement(SQL.selectArticle) { statement in
            try statement.bind(id.rawValue, at: 1)
            guard try statement.step() else { return nil }
            var article = NewsArticle(
                id: id, category: statement.string(0), subcategory: statement.string(1), title: statement.string(2),
                abstract: statement.string(3), url: statement.string(4))
            if entities {
                article.titleEntities = try Self.entities(statement.string(5), news: id, column: "title_entities")
                article.abstractEntities = try Self.entities(statement.string(6), news: id,
                                                             column: "abstract_entities")
            }
            return article
        }
    }

    /// The number of rows of `news` (every article ever ingested).
    public func articleCount() throws -> Int { try scalarInt(SQL.countNews) ?? 0 }

    /// Whether an ingested news file defines `news`.
    public func containsNews(_ news: NewsID) throws -> Bool {
        try withStatement(SQL.newsExists) { statement in
            try statement.bind(news.rawValue, at: 1)
            return try statement.step()
        }
    }

    /// The ids of `ids` that no ingested news file defines, in the order given (duplicates once).
    public func unknownNews(_ ids: [NewsID]) throws -> [NewsID] {
        var seen = Set<NewsID>()
        return try read { try ids.filter { try seen.insert($0).inserted && !containsNews($0) } }
    }

    /// Every news id of the store, sorted.
    public func allNewsIDs() throws -> [NewsID] {
        try withStatement(SQL.selectAllNewsIDs) { statement in
            var ids: [NewsID] = []
            while try statement.step() { ids.append(NewsID(statement.string(0))) }
            return ids
        }
    }

    /// The news whose title or abstract mentions the WikiData entity `wikidataID`, in id order.
    public func news(mentioning wikidataID: String) throws -> [NewsID] {
        try withStatement(SQL.selectNewsMentioning) { statement in
            try statement.bind(wikidataID, at: 1)
            var ids: [NewsID] = []
            while try statement.step() { ids.append(NewsID(statement.string(0))) }
            return ids
        }
    }

    static func entities(_ text: String, news: NewsID, column: String) throws -> [Entity] {
        do {
            return try EntityJSON.decode(text)
        } catch {
            throw StoreError.corruptValue(table: "news", key: "\(news) \(column)", expected: "a JSON array of entities")
        }
    }

    // MARK: - Writing articles

    /// Adds or updates `articles` (by id) in one write transaction, and drops the cached vectors their changes make
    /// stale: for every news whose title changed, its news vectors of every model and the user vectors whose
    /// history contains it. The entry point for live article updates; an ingest does the same through its writer.
    ///
    /// Articles are not added to any split's news file (`split_news`). Joins an enclosing transaction.
    @discardableResult
    public func upsertArticles(_ articles: [NewsArticle]) throws -> ArticleChanges {
        try write {
            let writer = ArticleWriter(database: self)
            for article in articles { try writer.upsert(article) }
            return try writer.finish()
        }
    }
}

/// Upserts articles with their entities, compares each with the stored row, and — at `finish` — drops the cached
/// vectors that the title changes make stale and logs the changes. Lives inside one write transaction.
final class ArticleWriter {
    private let database: Database
    private(set) var changes = ArticleChanges()
    private var retitled: Set<NewsID> = []

    init(database: Database) {
        self.database = database
    }

    /// What `upsert` did with one article.
    enum Outcome { case inserted, updated, unchanged }

    /// Writes `article` unless the stored row is identical, and notes what changed.
    @discardableResult
    func upsert(_ article: NewsArticle) throws -> Outcome {
        let titleEntities = EntityJSON.encode(article.titleEntities)
        let abstractEntities = EntityJSON.encode(article.abstractEntities)
        let columns = [article.category, article.subcategory, article.title, article.abstract, article.url,
                       titleEntities, abstractEntities]
        let stored = try database.withStatement(SQL.selectArticle) { statement -> [String]? in
            try statement.bind(article.id.rawValue, at: 1)
            guard try statement.step() else { return nil }
            return (0 ..< 7).map { statement.string(Int32($0)) }
        }
        if let stored {
            if stored == columns { return .unchanged }
            changes.updated.append(article.id)
            if stored[2] != article.title {
                changes.titleChanges.append(TitleChange(news: article.id, oldTitle: stored[2], newTitle: article.title))
                retitled.insert(article.id)
            }
        } else {
            changes.inserted.append(article.id)
        }
        try write(article, columns: columns)
        return stored == nil ? .inserted : .updated
    }

    private func write(_ article: NewsArticle, columns: [String]) throws {
        let id = article.id.rawValue
        try database.withStatement(SQL.upsertNews) { upsert in
            try upsert.bind(id, at: 1)
            for (offset, value) in columns.enumerated() { try upsert.bind(value, at: Int32(offset + 2)) }
            try upsert.run()
        }
        try database.execute(SQL.deleteEntitiesOfNews, [.text(id)])
        try database.withStatement(SQL.insertEntity) { insert in
            try insertEntities(article.titleEntities, of: id, field: "title", with: insert)
            try insertEntities(article.abstractEntities, of: id, field: "abstract", with: insert)
        }
    }

    private func insertEntities(_ entities: [Entity], of news: String, field: String, with insert: Statement) throws {
        guard !entities.isEmpty else { return }
        try insert.bind(news, at: 1)
        try insert.bind(field, at: 2)
        for (position, entity) in entities.enumerated() {
            try insert.bind(position, at: 3)
            try insert.bind(entity.label, at: 4)
            try insert.bind(entity.type, at: 5)
            try insert.bind(entity.wikidataID, at: 6)
            try insert.bind(entity.confidence, at: 7)
            try insert.bind(EntityJSON.integers(entity.occurrenceOffsets), at: 8)
            try insert.bind(EntityJSON.strings(entity.surfaceForms), at: 9)
            try insert.run()
        }
    }

    /// Drops the vectors made stale by the title changes and logs the changes; call after every other write of
    /// the transaction (the user histories it checks must be final). Returns what changed.
    func finish() throws -> ArticleChanges {
        guard !retitled.isEmpty else { return changes }
        changes.invalidation = try database.invalidateVectors(of: retitled)
        let now = Date().timeIntervalSince1970
        try database.withStatement(SQL.insertTitleChange) { insert in
            for change in changes.titleChanges {
                try insert.bind(change.news.rawValue, at: 1)
                try insert.bind(change.oldTitle, at: 2)
                try insert.bind(change.newTitle, at: 3)
                try insert.bind(now, at: 4)
                try insert.run()
            }
        }
        return changes
    }
}
