import Foundation
import MIND

/// A model registered in the store's embedding cache.
public struct CachedModel: Hashable, Sendable {
    /// The model id: FNV-1a 64 of the checkpoint files, 16 hex digits.
    public var id: String
    /// Length of the model's news and user vectors.
    public var dimension: Int
    /// The checkpoint's `config.json` text.
    public var config: String
    /// The checkpoint directory the model was first registered from.
    public var checkpoint: String

    public init(id: String, dimension: Int, config: String, checkpoint: String) {
        self.id = id
        self.dimension = dimension
        self.config = config
        self.checkpoint = checkpoint
    }
}

/// A user vector read from the cache.
public struct CachedUserVector: Sendable {
    /// `[dimension]`.
    public var vector: [Float]
    /// How many clicks it was computed from.
    public var historyLength: Int
}

/// A value that changes whenever the set of cached news vectors may have changed: a vector was added (the largest
/// rowid of `news_vectors` grows) or vectors were invalidated (the title-change epoch grows). A copy of the cache
/// held in memory is current while the generation is the same.
public struct CacheGeneration: Hashable, Sendable {
    public var newsVectors: Int
    public var titleChanges: Int
}

/// The embedding cache (`Schema/002_ranking.sql`, `003_title_changes.sql`): models, news vectors, user vectors.
extension Database {
    // MARK: - Models

    /// Registers `model` unless a model with its id exists. Returns the stored record (the existing one when
    /// already registered).
    ///
    /// - Throws: `StoreError.corruptValue` when a model with this id is stored with a different dimension.
    @discardableResult
    public func register(_ model: CachedModel) throws -> CachedModel {
        // Already registered: no write lock needed (the common case for every ranker but the first).
        if let stored = try read({ try self.model(id: model.id) }), stored.dimension == model.dimension {
            return stored
        }
        return try write {
            try execute(SQL.insertModel, [.text(model.id), .integer(model.dimension), .text(model.config),
                                          .text(model.checkpoint), .real(Date().timeIntervalSince1970)])
            guard let stored = try self.model(id: model.id) else {
                throw StoreError.corruptValue(table: "models", key: model.id, expected: "the row just inserted")
            }
            guard stored.dimension == model.dimension else {
                throw StoreError.corruptValue(table: "models", key: model.id,
                                              expected: "dimension \(model.dimension), found \(stored.dimension)")
            }
            return stored
        }
    }

    /// The registered model `id`, or nil.
    public func model(id: String) throws -> CachedModel? {
        try withStatement(SQL.selectModel) { statement in
            try statement.bind(id, at: 1)
            guard try statement.step() else { return nil }
            return CachedModel(id: id, dimension: statement.int(0), config: statement.string(1),
                               checkpoint: statement.string(2))
        }
    }

    // MARK: - News vectors

    /// The cached vector of `news` under `model`, or nil when not cached.
    ///
    /// - Throws: `StoreError.corruptValue` when the blob is not `dimension` float32 values.
    public func newsVector(model: CachedModel, news: NewsID) throws -> [Float]? {
        var vector: [Float] = []
        let missing = try appendNewsVectors(model: model, ids: [news], to: &vector)
        return missing.isEmpty ? vector : nil
    }

    /// Appends the cached vectors of `ids` to `matrix` (`[found × dimension]`, in the order of `ids`) in one
    /// read transaction, and returns the ids that have no cached vector.
    public func appendNewsVectors(model: CachedModel, ids: [NewsID], to matrix: inout [Float]) throws -> [NewsID] {
        try read {
            try withStatement(SQL.selectNewsVector) { statement in
                try statement.bind(model.id, at: 1)
                var missing: [NewsID] = []
                for news in ids {
                    try statement.bind(news.rawValue, at: 2)
                    if try statement.step() {
                        try statement.appendFloats(0, count: model.dimension, to: &matrix, table: "news_vectors",
                                                   key: news.rawValue)
                    } else {
                        missing.append(news)
                    }
                    statement.reset()
                }
                return missing
            }
        }
    }

    /// Caches `vectors` (`[articles.count × dimension]`, row i encoded from `articles[i]`) under `model` in one
    /// transaction, replacing vectors already cached for those ids — but only for articles whose stored title is
    /// still the title given (a vector encoded from a title that changed meanwhile is left out).
    ///
    /// - Returns: the number of vectors written.
    @discardableResult
    public func storeNewsVectors(model: CachedModel, articles: [NewsArticle], vectors: [Float]) throws -> Int {
        precondition(vectors.count == articles.count * model.dimension, "vectors must be [articles.count × dimension]")
        return try write {
            try withStatement(SQL.upsertNewsVector) { upsert in
                try upsert.bind(model.id, at: 1)
                var written = 0
                for (row, article) in articles.enumerated() {
                    try upsert.bind(article.id.rawValue, at: 2)
                    try upsert.bind(floats: vectors[row * model.dimension ..< (row + 1) * model.dimension], at: 3)
                    try upsert.bind(article.title, at: 4)
                    try upsert.run()
                    written += changes
                }
                return written
            }
        }
    }

    /// Every cached vector of `model`: ids sorted, and `[ids.count × dimension]` rows in that order.
    public func allNewsVectors(model: CachedModel) throws -> (ids: [NewsID], vectors: [Float]) {
        try read {
            let count = try cachedNewsCount(model: model)
            var ids: [NewsID] = []
            ids.reserveCapacity(count)
            var vectors: [Float] = []
            vectors.reserveCapacity(count * model.dimension)
            try withStatement(SQL.selectAllNewsVectors) { statement in
                try statement.bind(model.id, at: 1)
                while try statement.step() {
                    let news = statement.string(0)
                    try statement.appendFloats(1, count: model.dimension, to: &vectors, table: "news_vectors",
                                               key: news)
                    ids.append(NewsID(news))
                }
            }
            return (ids, vectors)
        }
    }

    /// The vectors of `model` whose rowid is above `rowid` (0: all), in rowid order — the vectors cached since a
    /// reader saw `CacheGeneration.newsVectors == rowid` — appended to `matrix` (`[ids.count × dimension]`).
    /// - Returns: their ids, and the largest rowid read (`rowid` when there is none).
    public func appendNewsVectors(model: CachedModel, after rowid: Int, to matrix: inout [Float]) throws
        -> (ids: [NewsID], lastRowID: Int) {
        try read {
            try withStatement(SQL.selectNewsVectorsAfter) { statement in
                try statement.bind(model.id, at: 1)
                try statement.bind(rowid, at: 2)
                var ids: [NewsID] = []
                var last = rowid
                while try statement.step() {
                    last = statement.int(0)
                    let news = statement.string(1)
                    try statement.appendFloats(2, count: model.dimension, to: &matrix, table: "news_vectors", key: news)
                    ids.append(NewsID(news))
                }
                return (ids, last)
            }
        }
    }

    /// The number of news vectors cached for `model`.
    public func cachedNewsCount(model: CachedModel) throws -> Int {
        try scalarInt(SQL.countNewsVectors, [.text(model.id)]) ?? 0
    }

    /// The news of the store without a cached vector for `model`, sorted by id, with their text columns
    /// (entities left empty).
    public func uncachedArticles(model: CachedModel) throws -> [NewsArticle] {
        try read {
            try withStatement(SQL.selectUncachedArticles) { statement in
                try statement.bind(model.id, at: 1)
                var articles: [NewsArticle] = []
                while try statement.step() {
                    articles.append(NewsArticle(
                        id: NewsID(statement.string(0)), category: statement.string(1),
                        subcategory: statement.string(2), title: statement.string(3), abstract: statement.string(4),
                        url: statement.string(5)))
                }
                return articles
            }
        }
    }

    /// The current `CacheGeneration`.
    public func vectorGeneration() throws -> CacheGeneration {
        try withStatement(SQL.vectorGeneration) { statement in
            _ = try statement.step()
            return CacheGeneration(newsVectors: statement.int(0), titleChanges: statement.int(1))
        }
    }

    /// The invalidation epoch: the number of title changes recorded so far. Read it in the same transaction as the
    /// inputs of a user vector and pass it to `storeUserVector`.
    public func titleChangeEpoch() throws -> Int { try scalarInt(SQL.titleChangeEpoch) ?? 0 }

    // MARK: - User vectors

    /// The cached vector of `user` under `model` if it was computed from history `version`, else nil.
    public func userVector(model: CachedModel, user: UserID, version: String) throws -> CachedUserVector? {
        try withStatement(SQL.selectUserVector) { statement in
            try statement.bind(model.id, at: 1)
            try statement.bind(user.rawValue, at: 2)
            try statement.bind(version, at: 3)
            guard try statement.step() else { return nil }
            let vector = try statement.floats(0, count: model.dimension, table: "user_vectors", key: user.rawValue)
            return CachedUserVector(vector: vector, historyLength: statement.int(1))
        }
    }

    /// Caches `vector` `[dimension]` as the vector of `user` under `model` for history `version`, replacing any
    /// vector of an older version — unless a title changed since `epoch` (`titleChangeEpoch()` read together with
    /// the vector's inputs), in which case nothing is written.
    ///
    /// - Returns: whether the vector was written.
    @discardableResult
    public func storeUserVector(model: CachedModel, user: UserID, version: String, historyLength: Int,
                                vector: [Float], epoch: Int) throws -> Bool {
        precondition(vector.count == model.dimension, "a user vector has \(model.dimension) values")
        return try write {
            try withStatement(SQL.upsertUserVector) { upsert in
                try upsert.bind(model.id, at: 1)
                try upsert.bind(user.rawValue, at: 2)
                try upsert.bind(version, at: 3)
                try upsert.bind(historyLength, at: 4)
                try upsert.bind(floats: vector[...], at: 5)
                try upsert.bind(epoch, at: 6)
                try upsert.run()
                return changes > 0
            }
        }
    }

    // MARK: - Invalidation

    /// Deletes the cached vectors that depend on the titles of `news`: their news vectors under every model, and
    /// the vectors of every user whose latest history (as `latestHistory` reads it now) contains one of them. A
    /// cached user vector of any other user does not depend on them: its version names its history, and either
    /// that history is the current one (without those news) or the version no longer matches anyway.
    ///
    /// Run it inside the write transaction that changed the titles, after the user histories are final.
    func invalidateVectors(of news: Set<NewsID>) throws -> CacheInvalidation {
        var invalidation = CacheInvalidation()
        let models = try textColumn(SQL.selectModelIDs)
        guard !models.isEmpty, !news.isEmpty else { return invalidation }
        invalidation.newsVectors = try delete(SQL.deleteNewsVector, models: models, keys: news.map(\.rawValue))
        let users = try textColumn(SQL.selectUsersWithVectors).map { UserID($0) }
        let stale = try users.filter { user in
            try latestHistory(of: user)?.news.contains(where: news.contains) ?? false
        }
        invalidation.userVectors = try delete(SQL.deleteUserVector, models: models, keys: stale.map(\.rawValue))
        return invalidation
    }

    /// Runs the deletion `sql` (parameters: model, key) for every model and key; returns the rows deleted.
    private func delete(_ sql: String, models: [String], keys: [String]) throws -> Int {
        var deleted = 0
        try withStatement(sql) { delete in
            for model in models {
                try delete.bind(model, at: 1)
                for key in keys {
                    try delete.bind(key, at: 2)
                    try delete.run()
                    deleted += changes
                }
            }
        }
        return deleted
    }
}
