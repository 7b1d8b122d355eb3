import Foundation
import MIND
import Ranking
import Synchronization

/// The fresh candidate pool per window — news shown in impressions during the last `window` seconds of the data
/// that the store defines — kept between requests.
///
/// Reading the pool unpacks every impression of the window (a MIND day is tens of thousands), so it is cached per
/// window and re-read when an ingest wrote impressions (`Database.impressionsGeneration`) or after `lifetime` (a
/// news of the pool that had no article may have got one). A store without impressions has every news as its
/// pool, read each time (news may be added meanwhile).
final class FreshPool: Sendable {
    private struct Entry: Sendable {
        var generation: [Int]
        var pool: [NewsID]
        var expires: ContinuousClock.Instant
    }

    private let ranker: Ranker
    private let lifetime: Duration
    private let entries = Mutex<[Int64: Entry]>([:])
    /// Windows kept at most; asking for more distinct windows starts over.
    private static let capacity = 16

    init(ranker: Ranker, lifetime: Duration = .seconds(60)) {
        self.ranker = ranker
        self.lifetime = lifetime
    }

    /// The pool of the last `window` seconds of the data, sorted by id.
    func candidates(window: Int64) throws -> [NewsID] {
        let (latest, generation) = try ranker.store.read { database in
            (try database.latestImpressionTime(), try database.impressionsGeneration())
        }
        let now = ContinuousClock.now
        if latest != nil, let entry = entries.withLock({ $0[window] }), entry.generation == generation,
           now < entry.expires {
            return entry.pool
        }
        let pool = try ranker.freshCandidates(window: window, definedOnly: true)
        if latest != nil {
            entries.withLock { entries in
                if entries.count >= Self.capacity { entries.removeAll() }
                entries[window] = Entry(generation: generation, pool: pool, expires: now + lifetime)
            }
        }
        return pool
    }
}
