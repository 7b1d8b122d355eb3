import Basics
import Foundation
import MIND

/// The impressions of one split as packed integer rows (compressed sparse rows, ImpressionID order), with news and
/// users interned into `PackedCorpus.newsIDs` and `PackedCorpus.userIDs`.
public struct PackedImpressions: Sendable {
    /// ImpressionID of row i.
    public var impressionIDs: [Int] = []
    /// User of row i: an index into `PackedCorpus.userIDs`.
    public var users: [Int32] = []
    /// Time of row i (Unix seconds).
    public var times: [Int64] = []
    /// Row i's history is `history[historyOffsets[i] ..< historyOffsets[i + 1]]`: indices into
    /// `PackedCorpus.newsIDs`, oldest first. `historyOffsets` has `count + 1` entries.
    public var historyOffsets: [Int] = [0]
    public var history: [Int32] = []
    /// Row i's candidates are `candidates[candidateOffsets[i] ..< candidateOffsets[i + 1]]` in file order (indices
    /// into `PackedCorpus.newsIDs`), and `labels` at the same positions: 1 clicked, 0 not clicked, -1 unlabelled.
    public var candidateOffsets: [Int] = [0]
    public var candidates: [Int32] = []
    public var labels: [Int8] = []

    /// The number of impressions (rows).
    public var count: Int { impressionIDs.count }

    public init() {}
}

/// Everything training and evaluation read from a store, in integer form: the news table (ids and titles), the
/// users, and the impressions of some splits. Built by `Database.packedCorpus(splits:)` in one pass over each split
/// without creating a string per history entry or candidate.
public struct PackedCorpus: Sendable {
    /// Every news index used. Indices `0 ..< titles.count` are the store's articles in the order they were first
    /// ingested (`titles[i]` is the title of `newsIDs[i]`); the indices after them are ids that histories or
    /// candidates mention but no ingested news file defines (they have no title), in order of first mention.
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
            var news = ByteInterner()
            var titles: [String] = []
            try withStatement(SQL.selectTitles) { statement in
                while try statement.step() {
                    _ = statement.withBlob(0) { (id: UnsafeRawBufferPointer) -> Int32 in news.intern(id) }
                    titles.append(statement.string(1))
                }
            }
            var users = ByteInterner()
            var packed: [Split: PackedImpressions] = [:]
            for split in splits {
                let rows = try packedImpressions(split: split, news: &news, users: &users)
                if rows.count > 0 { packed[split] = rows }
            }
            return PackedCorpus(newsIDs: news.strings().map { NewsID($0) }, titles: titles,
                                userIDs: users.strings().map { UserID($0) }, splits: packed)
        }
    }

    private func packedImpressions(split: Split, news: inout ByteInterner, users: inout ByteInterner) throws
        -> PackedImpressions {
        var rows = PackedImpressions()
        let counts = try self.rows(SQL.countImpressions, [.text(split.rawValue)])[0].map { value -> Int in
            if case let .integer(number) = value { number } else { 0 }
        }
        rows.impressionIDs.reserveCapacity(counts[0])
        rows.users.reserveCapacity(counts[0])
        rows.times.reserveCapacity(counts[0])
        rows.historyOffsets.reserveCapacity(counts[0] + 1)
        rows.candidateOffsets.reserveCapacity(counts[0] + 1)
        rows.candidates.reserveCapacity(counts[1])
        rows.labels.reserveCapacity(counts[1])
        try withStatement(SQL.selectImpressions) { statement in
            try statement.bind(split.rawValue, at: 1)
            while try statement.step() {
                let id = statement.int(0)
                rows.impressionIDs.append(id)
                rows.users.append(statement.withBlob(1) { (id: UnsafeRawBufferPointer) -> Int32 in users.intern(id) })
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
        return rows
    }
}
