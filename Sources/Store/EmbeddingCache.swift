import CSQLite
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

extension RankingStore {
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
            let insert = try statement(RankingSQL.insertModel)
            try insert.bind(model.id, at: 1)
            try insert.bind(model.dimension, at: 2)
            try insert.bind(model.config, at: 3)
            try insert.bind(model.checkpoint, at: 4)
            try insert.bind(Date().timeIntervalSince1970, at: 5)
            try insert.run()
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
        let statement = try statement(RankingSQL.selectModel)
        try statement.bind(id, at: 1)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return CachedModel(id: id, dimension: statement.int(0), config: statement.string(1),
                           checkpoint: statement.string(2))
    }

    // MARK: - News vectors

    /// The cached vector of `news` under `model`, or nil when not cached.
    ///
    /// - Throws: `StoreError.corruptValue` when the blob is not `dimension` float32 values.
    public func newsVector(model: CachedModel, news: NewsID) throws -> [Float]? {
        let statement = try statement(RankingSQL.selectNewsVector)
        try statement.bind(model.id, at: 1)
        try statement.bind(news.rawValue, at: 2)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return try statement.floats(0, count: model.dimension, table: "news_vectors", key: news.rawValue)
    }

    /// Appends the cached vectors of `ids` to `matrix` (`[found × dimension]`, in the order of `ids`) in one
    /// read transaction, and returns the ids that have no cached vector.
    public func appendNewsVectors(model: CachedModel, ids: [NewsID], to matrix: inout [Float]) throws -> [NewsID] {
        try read {
            let statement = try statement(RankingSQL.selectNewsVector)
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

    /// Caches `vectors` (`[ids.count × dimension]`, row i for `ids[i]`) under `model` in one transaction,
    /// replacing vectors already cached for those ids.
    public func storeNewsVectors(model: CachedModel, ids: [NewsID], vectors: [Float]) throws {
        precondition(vectors.count == ids.count * model.dimension, "vectors must be [ids.count × dimension]")
        try write {
            let upsert = try statement(RankingSQL.upsertNewsVector)
            try upsert.bind(model.id, at: 1)
            for (row, news) in ids.enumerated() {
                try upsert.bind(news.rawValue, at: 2)
                try upsert.bind(floats: vectors[row * model.dimension ..< (row + 1) * model.dimension], at: 3)
                try upsert.run()
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
            let statement = try statement(RankingSQL.selectAllNewsVectors)
            try statement.bind(model.id, at: 1)
            while try statement.step() {
                let news = statement.string(0)
                try statement.appendFloats(1, count: model.dimension, to: &vectors, table: "news_vectors", key: news)
                ids.append(NewsID(news))
            }
            statement.reset()
            return (ids, vectors)
        }
    }

    /// The number of news vectors cached for `model`.
    public func cachedNewsCount(model: CachedModel) throws -> Int {
        let statement = try statement(RankingSQL.countNewsVectors)
        try statement.bind(model.id, at: 1)
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int(0)
    }

    /// The news of the store without a cached vector for `model`, sorted by id, with their text columns
    /// (entities left empty).
    public func uncachedArticles(model: CachedModel) throws -> [NewsArticle] {
        try read {
            let statement = try statement(RankingSQL.selectUncachedArticles)
            try statement.bind(model.id, at: 1)
            var articles: [NewsArticle] = []
            while try statement.step() {
                articles.append(NewsArticle(
                    id: NewsID(statement.string(0)), category: statement.string(1), subcategory: statement.string(2),
                    title: statement.string(3), abstract: statement.string(4), url: statement.string(5)))
            }
            statement.reset()
            return articles
        }
    }

    // MARK: - User vectors

    /// The cached vector of `user` under `model` if it was computed from history `version`, else nil.
    public func userVector(model: CachedModel, user: UserID, version: String) throws -> CachedUserVector? {
        let statement = try statement(RankingSQL.selectUserVector)
        try statement.bind(model.id, at: 1)
        try statement.bind(user.rawValue, at: 2)
        try statement.bind(version, at: 3)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        let vector = try statement.floats(0, count: model.dimension, table: "user_vectors", key: user.rawValue)
        return CachedUserVector(vector: vector, historyLength: statement.int(1))
    }

    /// Caches `vector` `[dimension]` as the vector of `user` under `model` for history `version`, replacing any
    /// vector of an older version.
    public func storeUserVector(model: CachedModel, user: UserID, version: String, historyLength: Int,
                                vector: [Float]) throws {
        precondition(vector.count == model.dimension, "a user vector has \(model.dimension) values")
        try write {
            let upsert = try statement(RankingSQL.upsertUserVector)
            try upsert.bind(model.id, at: 1)
            try upsert.bind(user.rawValue, at: 2)
            try upsert.bind(version, at: 3)
            try upsert.bind(historyLength, at: 4)
            try upsert.bind(floats: vector[...], at: 5)
            try upsert.run()
        }
    }
}

// MARK: - Float32 blobs

extension Statement {
    /// Binds `values` as a blob of little-endian float32 to parameter `index` (1-based); SQLite copies the bytes.
    public func bind(floats values: ArraySlice<Float>, at index: Int32) throws {
        #if _endian(little)
        let code = values.withUnsafeBytes { bytes in
            sqlite3_bind_blob64(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                sqlite3_uint64(bytes.count), newsrec_sqlite_transient())
        }
        guard code == SQLITE_OK else { throw database.error(code: code, operation: "bind in \(sql)") }
        #else
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try bind(blob: bytes, at: index)
        #endif
    }

    /// Column `index` (0-based) of the current row: a blob of `count` little-endian float32.
    ///
    /// - Throws: `StoreError.corruptValue` naming `table` and `key` when the blob has another length.
    public func floats(_ index: Int32, count: Int, table: String, key: String) throws -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        try appendFloats(index, count: count, to: &values, table: table, key: key)
        return values
    }

    /// Appends column `index` (0-based), a blob of `count` little-endian float32, to `values`.
    public func appendFloats(_ index: Int32, count: Int, to values: inout [Float], table: String, key: String) throws {
        let bytes = sqlite3_column_blob(handle, index)
        let length = Int(sqlite3_column_bytes(handle, index))
        guard length == count * 4, let bytes else {
            throw StoreError.corruptValue(table: table, key: key,
                                          expected: "\(count) float32 (\(count * 4) bytes), found \(length) bytes")
        }
        let start = values.count
        values.append(contentsOf: repeatElement(0, count: count))
        values.withUnsafeMutableBufferPointer { buffer in
            let destination = UnsafeMutableRawPointer(buffer.baseAddress! + start)
            destination.copyMemory(from: bytes, byteCount: length)
            #if !_endian(little)
            for i in start ..< start + count { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
            #endif
        }
    }
}

extension RankingStore {
    /// A number that grows whenever a news vector of any model is added (the largest rowid of `news_vectors`):
    /// a cheap staleness check for a copy of the cache held in memory.
    public func vectorGeneration() throws -> Int {
        let statement = try statement(RankingSQL.vectorGeneration)
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int(0)
    }
}
