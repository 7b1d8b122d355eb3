import Basics
import Foundation
import TensorMath
import MIND
import NewsModel
import Store

/// Ranks news for users from the store's cached vectors: "rank these candidates for user U" in about a millisecond
/// when the user's vector and the candidates' vectors are cached.
///
/// A ranker opens the store and holds the model once. Scores are dot products of the user vector (the user
/// encoder over the vectors of the user's last `historyLength` clicks) with the candidates' news vectors, exactly as
/// the model scores an impression. Missing vectors are computed on the fly and cached: news vectors by news id,
/// user vectors by a version (FNV-1a of the history's ids), so a new click makes the next query recompute the
/// user vector. The news vectors a ranking reads come from an in-memory mirror of the cache (`NewsVectorMemory`,
/// loaded on the first ranking or by `preloadNewsVectors`, kept in step with the store's cache generation), so a
/// warm query reads only the user's history and vector from SQLite.
///
/// Users without any click get the documented cold-start ranking: candidates ordered by how often they were clicked
/// in the last `popularityWindow` seconds of the data (clicked candidates of impressions plus recorded clicks),
/// ties in the order given.
///
/// Thread-safe: each call borrows a connection from the store's pool (`NewsStore`, one connection per concurrent
/// caller), so a server can call `rank` from many threads while other processes ingest, click or embed (WAL).
/// A query never waits for another writer: the vectors it computes are cached only when the write lock is free
/// within 5 ms (`Database.writeIfAvailable`), else used uncached (a long ingest cannot stall rankings); the
/// explicit `embedMissingNews`/`embedNews` wait on the busy timeout. Encoder calls are serialised.
public final class Ranker: @unchecked Sendable {
    /// The model as registered in the store.
    public let model: CachedModel
    /// The store whose connections the ranker borrows.
    public let store: NewsStore
    /// The store file.
    public var storePath: String { store.path }
    /// Clicks the user encoder reads (the most recent ones).
    public let historyLength: Int
    /// The window of the cold-start popularity ranking and of `freshCandidates`' default, in seconds.
    public let popularityWindow: Int64
    /// Workers scoring the whole catalogue in `rankCatalogue`: all cores.
    public let catalogueThreads = ProcessInfo.processInfo.activeProcessorCount
    /// Titles encoded in parallel when news vectors are computed.
    public let encodingThreads: Int

    // The encoder, guarded by `encoderLock`; the catalogue matrix, guarded by `stateLock`.
    private let encoder: any RankingEncoder
    private let encoderLock = NSLock()
    private let stateLock = NSLock()
    private var catalogue: Catalogue?
    /// The cached news vectors in memory, for `ranking(user:candidates:top:)`.
    private let newsMemory: NewsVectorMemory
    /// The impressions' click counts of the cold-start window, kept until an ingest or another window.
    private let impressionPopularity = ImpressionPopularityMemo()

    /// Ranks from `store` and registers the model of `encoder` under `modelID`.
    ///
    /// - Parameters:
    ///   - config: the model's configuration text (stored with the model).
    ///   - checkpoint: where the model came from (stored with the model, informational).
    ///   - popularityWindow: seconds of data the cold-start ranking counts clicks over (default one day).
    ///   - encodingThreads: titles encoded in parallel when news vectors are computed (default: all cores).
    public init(store: NewsStore, encoder: some RankingEncoder, modelID: String, config: String,
                checkpoint: String, popularityWindow: Int64 = 86_400,
                encodingThreads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.store = store
        self.encodingThreads = max(1, encodingThreads)
        self.historyLength = encoder.historyLength
        self.popularityWindow = popularityWindow
        model = try store.withConnection { database in
            try database.register(CachedModel(id: modelID, dimension: encoder.dimension, config: config,
                                              checkpoint: checkpoint))
        }
        newsMemory = NewsVectorMemory(model: model)
        self.encoder = encoder
    }

    /// Opens (or creates) the store at `storePath` with a 30 s busy timeout, and registers the model of `encoder`
    /// under `modelID` (see `init(store:encoder:modelID:config:checkpoint:popularityWindow:)`).
    public convenience init(storePath: String, encoder: some RankingEncoder, modelID: String, config: String,
                            checkpoint: String, popularityWindow: Int64 = 86_400,
                            encodingThreads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        try self.init(store: NewsStore(path: storePath, busyTimeout: 30), encoder: encoder, modelID: modelID,
                      config: config, checkpoint: checkpoint, popularityWindow: popularityWindow,
                      encodingThreads: encodingThreads)
    }

    // MARK: - Ranking

    /// Ranks `candidates` for `user`, best first.
    ///
    /// - Parameter top: keep the best `top` (nil: all candidates).
    /// - Returns: (news, score) pairs; scores are dot products, or click counts for a cold-start user.
    /// - Throws: `RankingError.unknownCandidates` naming candidates the store does not hold.
    public func rank(user: UserID, candidates: [NewsID], top: Int? = nil) throws -> [(NewsID, Float)] {
        try ranking(user: user, candidates: candidates, top: top).items.map { ($0.news, $0.score) }
    }

    /// Ranks `candidates` for `user`, best first, and says how.
    public func ranking(user: UserID, candidates: [NewsID], top: Int? = nil) throws -> RankingResult {
        try store.withConnection { store in
            let limit = max(0, top ?? candidates.count)
            let lookup = try store.read { () throws -> Lookup in
                var lookup = Lookup()
                lookup.history = try store.history(of: user, limit: historyLength) ?? []
                if lookup.history.isEmpty { return lookup }
                lookup.version = Self.version(of: lookup.history)
                lookup.userVector = try store.userVector(model: model, user: user, version: lookup.version)?.vector
                try newsMemory.synchronize(to: try store.vectorGeneration(), on: store)
                lookup.missing = newsMemory.append(candidates, to: &lookup.vectors)
                return lookup
            }
            if lookup.history.isEmpty {
                return try popularityRanking(store: store, candidates: candidates, top: limit)
            }
            var vectors = lookup.vectors
            var cachedUser = true
            if !lookup.missing.isEmpty {
                vectors = []
                try fillNewsVectors(store: store, ids: candidates, into: &vectors)
            }
            let userVector: [Float]
            if let cached = lookup.userVector {
                userVector = cached
            } else {
                cachedUser = false
                userVector = try computeUserVector(store: store, user: user, history: lookup.history,
                                                   version: lookup.version)
            }
            let items = Self.select(candidates, vectors: vectors, dimension: model.dimension, query: userVector,
                                    top: limit)
            return RankingResult(method: .personalized(historyLength: lookup.history.count,
                                                       cachedUserVector: cachedUser),
                                 items: items)
        }
    }

    /// Ranks every news with a cached vector for `user` (the whole catalogue), best first.
    ///
    /// The first call loads all cached vectors of the model into one contiguous matrix; later calls reuse it
    /// until more news are cached. Users without clicks get the cold-start ranking over the catalogue.
    public func rankCatalogue(user: UserID, top: Int) throws -> RankingResult {
        let top = max(0, top)
        return try store.withConnection { store in
            let (history, generation) = try store.read {
                (try store.history(of: user, limit: historyLength) ?? [], try store.vectorGeneration())
            }
            let matrix = try catalogueMatrix(store: store, generation: generation)
            if history.isEmpty {
                return try popularityRanking(store: store, candidates: matrix.ids, top: top)
            }
            let version = Self.version(of: history)
            var cachedUser = true
            let userVector: [Float]
            if let cached = try store.userVector(model: model, user: user, version: version) {
                userVector = cached.vector
            } else {
                cachedUser = false
                userVector = try computeUserVector(store: store, user: user, history: history, version: version)
            }
            let items = matrix.vectors.top(top, against: userVector, threads: catalogueThreads)
                .map { RankedNews(news: matrix.ids[$0.row], score: $0.score) }
            return RankingResult(method: .personalized(historyLength: history.count, cachedUserVector: cachedUser),
                                 items: items)
        }
    }

    /// The news shown as candidates in the last `window` seconds of the data (default `popularityWindow`), or
    /// every news of the store when the data has no impressions.
    ///
    /// - Parameter definedOnly: leave out shown news that no ingested news file defines (ranking them throws
    ///   `RankingError.unknownCandidates`), checked in the same snapshot.
    public func freshCandidates(window: Int64? = nil, definedOnly: Bool = false) throws -> [NewsID] {
        try store.withConnection { store in
            try store.read {
                guard let latest = try store.latestImpressionTime() else { return try store.allNewsIDs() }
                let shown = try store.freshNews(since: latest - (window ?? popularityWindow))
                guard definedOnly else { return shown }
                let unknown = Set(try store.unknownNews(shown))
                return unknown.isEmpty ? shown : shown.filter { !unknown.contains($0) }
            }
        }
    }

    // MARK: - Embedding

    /// Encodes every news of the store that has no cached vector for this model, in batches of `batchSize`,
    /// committing each batch (an interrupted run keeps what it finished; a re-run encodes only the rest).
    ///
    /// - Parameter progress: called after each batch with (done, total).
    /// - Returns: the number of news encoded.
    @discardableResult
    public func embedMissingNews(batchSize: Int = 512, progress: (Int, Int) -> Void = { _, _ in }) throws -> Int {
        try store.withConnection { store in
            let articles = try store.uncachedArticles(model: model)
            var done = 0
            progress(0, articles.count)
            while done < articles.count {
                let batch = Array(articles[done ..< min(done + batchSize, articles.count)])
                let vectors = try encoderLock.withLock { try encoder.encodeNews(batch, threads: encodingThreads) }
                try store.storeNewsVectors(model: model, articles: batch, vectors: vectors)
                done += batch.count
                progress(done, articles.count)
            }
            return articles.count
        }
    }

    /// Encodes and caches, in one batch, the vectors of those of `ids` that have none for this model yet (ids the
    /// store does not define are skipped). A service calls it after adding or retitling articles, so that they can
    /// be ranked at once without an encoding on the ranking path.
    ///
    /// - Returns: the number of vectors written (a news retitled meanwhile is left for the next query to encode).
    @discardableResult
    public func embedNews(_ ids: [NewsID]) throws -> Int {
        try store.withConnection { store in
            var cached: [Float] = []
            let missing = try store.appendNewsVectors(model: model, ids: ids, to: &cached)
            guard !missing.isEmpty else { return 0 }
            let articles = try store.read { try Self.articles(of: missing, on: store) }
            guard !articles.isEmpty else { return 0 }
            let vectors = try encoderLock.withLock { try encoder.encodeNews(articles, threads: encodingThreads) }
            return try store.storeNewsVectors(model: model, articles: articles, vectors: vectors)
        }
    }

    /// Loads every cached news vector of the model into the in-memory mirror that `ranking` reads (the first
    /// ranking would do it; a server does it before it listens) and returns how many it holds.
    @discardableResult
    public func preloadNewsVectors() throws -> Int {
        try store.read { store in try newsMemory.synchronize(to: try store.vectorGeneration(), on: store) }
        return newsMemory.count
    }

    /// The number of news with a cached vector for this model.
    public func cachedNewsCount() throws -> Int {
        try store.withConnection { try $0.cachedNewsCount(model: model) }
    }

    /// The click history of `user` the ranker reads (the last `historyLength` clicks, oldest first); nil when the
    /// store knows nothing of the user.
    public func history(of user: UserID) throws -> [NewsID]? {
        try store.withConnection { try $0.history(of: user, limit: historyLength) }
    }

    /// The text columns of `news` (entities left empty), or nil when the store does not define it.
    public func article(_ news: NewsID) throws -> NewsArticle? {
        try store.withConnection { try $0.article(news, entities: false) }
    }

    // MARK: - Internals

    /// The history version: FNV-1a 64 of the clicked ids, oldest first, each followed by a space.
    public static func version(of history: [NewsID]) -> String {
        var hash = FNV1a64()
        for news in history {
            hash.combine(Array(news.rawValue.utf8))
            hash.combine([0x20])
        }
        return hash.hexDigest
    }

    /// Appends the vectors of `ids` (`[ids.count × dimension]`) to `vectors`, encoding and caching the ones not
    /// cached yet. Freshly encoded vectors are used as encoded (a cached vector equals a fresh encoding bit for bit);
    /// the store caches only those whose title did not change meanwhile.
    ///
    /// - Throws: `RankingError.unknownCandidates` for ids the store does not define.
    private func fillNewsVectors(store: Database, ids: [NewsID], into vectors: inout [Float]) throws {
        var cached: [Float] = []
        let missing = try store.appendNewsVectors(model: model, ids: ids, to: &cached)
        guard !missing.isEmpty else { return vectors.append(contentsOf: cached) }
        let articles = try store.read { () throws -> [NewsArticle] in
            let unknown = try store.unknownNews(missing)
            guard unknown.isEmpty else { throw RankingError.unknownCandidates(unknown) }
            return try Self.articles(of: missing, on: store)
        }
        let encoded = try encoderLock.withLock { try encoder.encodeNews(articles, threads: encodingThreads) }
        _ = try store.writeIfAvailable {
            try store.storeNewsVectors(model: model, articles: articles, vectors: encoded)
        }
        let fresh = Dictionary(uniqueKeysWithValues: articles.enumerated().map { ($0.element.id, $0.offset) })
        let h = model.dimension
        var cachedRow = 0
        for news in ids {
            if let row = fresh[news] {
                vectors.append(contentsOf: encoded[row * h ..< (row + 1) * h])
            } else {
                vectors.append(contentsOf: cached[cachedRow * h ..< (cachedRow + 1) * h])
                cachedRow += 1
            }
        }
    }

    /// The articles of those of `ids` the store defines (entities left empty), each once, in the order first given:
    /// what the news encoder is given for vectors found missing. Call it within a read.
    private static func articles(of ids: [NewsID], on store: Database) throws -> [NewsArticle] {
        var seen = Set<NewsID>()
        return try ids.filter { seen.insert($0).inserted }.compactMap { try store.article($0, entities: false) }
    }

    /// Computes, caches and returns the user vector of `history` (which must not be empty).
    ///
    /// History entries the store does not define (news missing from every ingested news file) are left out. The
    /// vector is cached only if no title changed between reading its inputs and writing it.
    private func computeUserVector(store: Database, user: UserID, history: [NewsID], version: String) throws
        -> [Float] {
        var vectors: [Float] = []
        var known = history
        // The mirror may be newer than this snapshot's epoch: then the vector is computed from newer news vectors
        // and its write, guarded by the older epoch, is refused. It is never older (synchronize moves it forward).
        let (epoch, missing) = try store.read { () throws -> (Int, [NewsID]) in
            let epoch = try store.titleChangeEpoch()
            try newsMemory.synchronize(to: try store.vectorGeneration(), on: store)
            return (epoch, newsMemory.append(history, to: &vectors))
        }
        if !missing.isEmpty {
            let unknown = Set(try store.unknownNews(missing))
            known = history.filter { !unknown.contains($0) }
            vectors.removeAll(keepingCapacity: true)
            if !known.isEmpty { try fillNewsVectors(store: store, ids: known, into: &vectors) }
        }
        let vector = known.isEmpty
            ? [Float](repeating: 0, count: model.dimension)
            : try encoderLock.withLock { try encoder.encodeUser(history: vectors, count: known.count) }
        _ = try store.writeIfAvailable {
            try store.storeUserVector(model: model, user: user, version: version, historyLength: history.count,
                                      vector: vector, epoch: epoch)
        }
        return vector
    }

    /// Cold start: `candidates` by click count over the last `popularityWindow` seconds of the data.
    private func popularityRanking(store: Database, candidates: [NewsID], top: Int) throws -> RankingResult {
        let (since, counts) = try store.read { () throws -> (Int64?, [NewsID: Int]) in
            let unknown = try store.unknownNews(candidates)
            guard unknown.isEmpty else { throw RankingError.unknownCandidates(unknown) }
            guard let latest = try store.latestTime() else { return (nil, [:]) }
            let since = latest - popularityWindow
            var counts = try impressionPopularity.counts(since: since, generation: try store.impressionsGeneration()) {
                try store.impressionClickCounts(since: since)
            }
            for (news, clicks) in try store.recordedClickCounts(since: since) { counts[news, default: 0] += clicks }
            return (since, counts)
        }
        var selection = TopK<NewsID>(capacity: min(top, candidates.count))
        for news in candidates { selection.offer(news, score: Float(counts[news] ?? 0)) }
        return RankingResult(method: .popularity(since: since),
                             items: selection.sorted().map { RankedNews(news: $0.item, score: $0.score) })
    }

    /// The whole-catalogue matrix for `generation`, loading it when absent or stale.
    private func catalogueMatrix(store: Database, generation: CacheGeneration) throws -> Catalogue {
        if let current = stateLock.withLock({ catalogue }), current.generation == generation { return current }
        let (ids, vectors) = try store.allNewsVectors(model: model)
        let loaded = Catalogue(generation: generation, ids: ids,
                               vectors: VectorMatrix(dimension: model.dimension, storage: vectors))
        stateLock.withLock { catalogue = loaded }
        return loaded
    }

    /// The best `top` of `ids` by dot product of their rows of `vectors` with `query`; ties keep the given order.
    static func select(_ ids: [NewsID], vectors: [Float], dimension: Int, query: [Float], top: Int) -> [RankedNews] {
        var selection = TopK<NewsID>(capacity: min(top, ids.count))
        vectors.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { q in
                for (row, news) in ids.enumerated() {
                    let score = VectorMath.dot(rows.baseAddress! + row * dimension, q.baseAddress!, count: dimension)
                    selection.offer(news, score: score)
                }
            }
        }
        return selection.sorted().map { RankedNews(news: $0.item, score: $0.score) }
    }
}

/// The outcome of one ranking query.
public struct RankingResult: Sendable {
    /// How the candidates were ranked.
    public enum Method: Sendable, Equatable {
        /// By the model: the user vector came from `historyLength` clicks, from the cache or freshly computed.
        case personalized(historyLength: Int, cachedUserVector: Bool)
        /// Cold start (the user has no click): by clicks since `since` (nil when the data has no times).
        case popularity(since: Int64?)
    }

    public var method: Method
    /// Best first.
    public var items: [RankedNews]

    public init(method: Method, items: [RankedNews]) {
        self.method = method
        self.items = items
    }
}

/// One ranked news and its score.
public struct RankedNews: Hashable, Sendable {
    public var news: NewsID
    public var score: Float

    public init(news: NewsID, score: Float) {
        self.news = news
        self.score = score
    }
}

/// What one read transaction of a ranking query found.
private struct Lookup {
    var history: [NewsID] = []
    var version = ""
    var userVector: [Float]?
    var vectors: [Float] = []
    var missing: [NewsID] = []
}

/// All cached vectors of the model as one matrix, and the cache generation it was loaded at.
private struct Catalogue: Sendable {
    var generation: CacheGeneration
    var ids: [NewsID]
    var vectors: VectorMatrix
}

extension Ranker {
    /// Ranks from `store` with the NRMS checkpoint in `checkpoint` (model.safetensors, config.json, vocab.txt; a run
    /// directory means its latest checkpoint), registered under its content hash (`ModelFingerprint`) with its
    /// config.json.
    ///
    /// Sets OpenBLAS to one thread, process-wide: the ranker's products are small (one title, or one user's ≤ 50
    /// clicks), where a second BLAS thread only adds wake-ups; titles are encoded on `threads` workers instead.
    ///
    /// - Parameter threads: titles encoded in parallel when news vectors are computed (default: all cores).
    public convenience init(store: NewsStore, checkpoint: URL,
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                            popularityWindow: Int64 = 86_400) throws {
        let directory = try Checkpoint.resolve(checkpoint)
        let modelID = try ModelFingerprint.id(ofCheckpointAt: directory)
        let model = try Checkpoint.load(from: directory)
        let configURL = directory.appendingPathComponent("config.json")
        guard let config = try? String(contentsOf: configURL, encoding: .utf8) else {
            throw RankingError.missingCheckpointFile(configURL.path)
        }
        BLAS.setThreadCount(1)
        try self.init(store: store, encoder: model, modelID: modelID, config: config,
                      checkpoint: directory.standardizedFileURL.path, popularityWindow: popularityWindow,
                      encodingThreads: threads)
    }

    /// Opens (or creates) the store at `storePath` with a 30 s busy timeout and ranks from it with the NRMS
    /// checkpoint in `checkpoint` (see `init(store:checkpoint:threads:popularityWindow:)`).
    public convenience init(storePath: String, checkpoint: URL,
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                            popularityWindow: Int64 = 86_400) throws {
        try self.init(store: NewsStore(path: storePath, busyTimeout: 30), checkpoint: checkpoint, threads: threads,
                      popularityWindow: popularityWindow)
    }
}
