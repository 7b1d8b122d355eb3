import Basics
import Foundation
import MIND

/// The impressions of one split (or of a chunk of it) as packed integer rows (compressed sparse rows, ImpressionID
/// order), with news interned into `PackedNews` indices and users into `PackedCorpus.userIDs`.
public struct PackedImpressions: Sendable {
    /// ImpressionID of row i.
    public var impressionIDs: [Int] = []
    /// User of row i: an index into `PackedCorpus.userIDs`. Empty in chunked reads
    /// (`Database.forEachImpressionChunk`), which do not intern users.
    public var users: [Int32] = []
    /// Time of row i (Unix seconds).
    public var times: [Int64] = []
    /// Row i's history is `history[historyOffsets[i] ..< historyOffsets[i + 1]]`: news indices, oldest first.
    /// `historyOffsets` has `count + 1` entries.
    public var historyOffsets: [Int] = [0]
    public var history: [Int32] = []
    /// Row i's candidates are `candidates[candidateOffsets[i] ..< candidateOffsets[i + 1]]` in file order (news
    /// indices), and `labels` at the same positions: 1 clicked, 0 not clicked, -1 unlabelled.
    public var candidateOffsets: [Int] = [0]
    public var candidates: [Int32] = []
    public var labels: [Int8] = []

    /// The number of impressions (rows).
    public var count: Int { impressionIDs.count }

    public init() {}

    /// Room for `rows` impressions with `candidates` candidates in all.
    mutating func reserve(rows: Int, candidates: Int) {
        impressionIDs.reserveCapacity(rows)
        users.reserveCapacity(rows)
        times.reserveCapacity(rows)
        historyOffsets.reserveCapacity(rows + 1)
        candidateOffsets.reserveCapacity(rows + 1)
        self.candidates.reserveCapacity(candidates)
        labels.reserveCapacity(candidates)
    }
}

/// The dense news indices of packed reads: `0 ..< titles.count` are the store's articles in the order they were
/// first ingested (`titles[i]` is the title of index i); the indices after them are ids that histories or
/// candidates mention but no ingested news file defines (they have no title), in order of first mention.
///
/// Reads that share one `PackedNews` give every news the same index, so vectors computed for one read's indices
/// serve the next. Memory: the titles plus under 100 bytes per news id.
public struct PackedNews: Sendable {
    /// The titles of the store's articles, `titles.count` ≤ `count`.
    public let titles: [String]
    var interner: ByteInterner

    /// The number of news indices so far (articles, then the ids without an article met so far).
    public var count: Int { interner.count }

    /// The ids of the news indices `range` (each made into a `NewsID` on every call).
    public func ids(_ range: Range<Int>) -> [NewsID] { interner.strings(range).map { NewsID($0) } }
}

/// Everything training and evaluation read from a store, in integer form: the news table (ids and titles), the
/// users, and the impressions of some splits. Built by `Database.packedCorpus(splits:)` in one pass over each split
/// without creating a string per history entry or candidate.
public struct PackedCorpus: Sendable {
    /// Every news index used (see `PackedNews`): the store's articles in ingest order, then the ids without an
    /// article in order of first mention.
    public var newsIDs: [NewsID]
    /// The titles of the store's articles, `titles.count` ≤ `newsIDs.count`.
    public var titles: [String]
    /// Every user of the packed splits, in order of first appearance.
    public var userIDs: [UserID]
    /// The requested splits that have impressions.
    public var splits: [Split: PackedImpressions]

    /// Whether news index `index` is an article of the store (has a title).
    public func isKnownNews(_ index: Int32) -> Bool { Int(index) < titles.count }
}

extension Database {
    /// The news table and every impression of `splits` as a `PackedCorpus`, in one read transaction: the bulk read
    /// behind the training corpus (a few seconds for a MIND-large-sized store, memory ≈ 5 bytes per candidate and
    /// 4 per history entry).
    ///
    /// - Throws: `StoreError.corruptValue` for a candidate list that does not decode; SQLite errors.
    public func packedCorpus(splits: [Split]) throws -> PackedCorpus {
        try read { () throws -> PackedCorpus in
            var news = try packedNews()
            var users: ByteInterner? = ByteInterner()
            var packed: [Split: PackedImpressions] = [:]
            for split in splits {
                let counts = try integerRow(SQL.countImpressions, [.text(split.rawValue)])
                try forEachPackedChunk(split: split, rows: Int.max, reserving: (counts[0], counts[1]), news: &news,
                                       users: &users) { rows in
                    if rows.count > 0 { packed[split] = rows }
                }
            }
            return PackedCorpus(newsIDs: news.ids(0 ..< news.count), titles: news.titles,
                                userIDs: users!.strings(0 ..< users!.count).map { UserID($0) }, splits: packed)
        }
    }

    /// The store's articles as the first news indices of packed reads (ids and titles in ingest order).
    public func packedNews() throws -> PackedNews {
        try read { () throws -> PackedNews in
            var interner = ByteInterner()
            var titles: [String] = []
            try withStatement(SQL.selectTitles) { statement in
                while try statement.step() {
                    _ = statement.withBlob(0) { (id: UnsafeRawBufferPointer) -> Int32 in interner.intern(id) }
                    titles.append(statement.string(1))
                }
            }
            return PackedNews(titles: titles, interner: interner)
        }
    }

    /// Calls `body` with the impressions of `split` in ImpressionID order, `rows` impressions at a time (the last
    /// chunk may be shorter; no call for an empty split), all read from one cursor in one read transaction: memory
    /// holds one chunk, whatever the size of the split. Call it inside `read { }` to see the same snapshot as
    /// other reads (a second pass over the split, or `packedNews()`).
    ///
    /// News are interned into `news` (ids that no article defines get the next indices); users are not interned
    /// (`users` stays empty).
    /// - Throws: `StoreError.corruptValue` for a candidate list that does not decode; SQLite errors; what `body`
    ///   throws.
    public func forEachImpressionChunk(split: Split, rows: Int, news: inout PackedNews,
                                       _ body: (PackedImpressions) throws -> Void) throws {
        precondition(rows > 0, "chunks need at least one row")
        var users: ByteInterner? = nil
        try read {
            try forEachPackedChunk(split: split, rows: rows, reserving: (rows, 0), news: &news, users: &users, body)
        }
    }

    /// Steps `SQL.selectImpressions` over `split`, decoding each row into the current chunk and handing over every
    /// `rows` rows (and the rest at the end). Users are interned into `users` when it is not nil.
    private func forEachPackedChunk(split: Split, rows limit: Int, reserving: (rows: Int, candidates: Int),
                                    news: inout PackedNews, users: inout ByteInterner?,
                                    _ body: (PackedImpressions) throws -> Void) throws {
        try withStatement(SQL.selectImpressions) { statement in
            try statement.bind(split.rawValue, at: 1)
            var chunk = PackedImpressions()
            chunk.reserve(rows: min(limit, reserving.rows), candidates: reserving.candidates)
            while try statement.step() {
                try appendRow(of: statement, to: &chunk, split: split, news: &news.interner, users: &users)
                if chunk.count == limit {
                    try body(chunk)
                    chunk = PackedImpressions()
                    chunk.reserve(rows: limit, candidates: 0)
                }
            }
            if chunk.count > 0 { try body(chunk) }
        }
    }

    /// Decodes the current row of `SQL.selectImpressions` (id, user, time, history, candidate list) into `rows`.
    private func appendRow(of statement: Statement, to rows: inout PackedImpressions, split: Split,
                           news: inout ByteInterner, users: inout ByteInterner?) throws {
        let id = statement.int(0)
        rows.impressionIDs.append(id)
        if users != nil {
            rows.users.append(statement.withBlob(1) { (id: UnsafeRawBufferPointer) -> Int32 in users!.intern(id) })
        }
        rows.times.append(statement.int64(2))
        statement.withBlob(3) { (bytes: UnsafeRawBufferPointer) in
            ByteInterner.forEachWord(bytes) { rows.history.append(news.intern($0)) }
        }
        rows.historyOffsets.append(rows.history.count)
        try statement.withBlob(4) { (bytes: UnsafeRawBufferPointer) throws in
            try CandidateList.forEach(bytes.assumingMemoryBound(to: UInt8.self),
                                      key: "\(split.rawValue) \(id)") { candidate, label in
                rows.candidates.append(news.intern(UnsafeRawBufferPointer(candidate)))
                rows.labels.append(label ?? -1)
            }
        }
        rows.candidateOffsets.append(rows.candidates.count)
    }
}
