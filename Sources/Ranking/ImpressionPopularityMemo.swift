import Foundation
import MIND

/// The clicked-candidate counts of the cold-start window, kept between queries: computing them unpacks every
/// impression of the window (a MIND day is tens of thousands), and they change only when the window moves or an
/// ingest writes impressions (`Database.impressionsGeneration`). Recorded clicks, which change all the time, are
/// counted per query on top. Thread-safe; one entry.
final class ImpressionPopularityMemo: @unchecked Sendable {
    private struct Key: Equatable {
        var since: Int64
        var generation: [Int]
    }

    private let lock = NSLock()
    private var key: Key?
    private var value: [NewsID: Int] = [:]

    /// The counts for (`since`, `generation`): the kept ones, or `compute()`'s, which are then kept.
    func counts(since: Int64, generation: [Int], compute: () throws -> [NewsID: Int]) rethrows -> [NewsID: Int] {
        let wanted = Key(since: since, generation: generation)
        if let kept = lock.withLock({ key == wanted ? value : nil }) { return kept }
        let computed = try compute()
        lock.withLock {
            key = wanted
            value = computed
        }
        return computed
    }
}
