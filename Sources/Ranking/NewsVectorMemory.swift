import Foundation
import MIND
import Store

/// The model's cached news vectors mirrored in memory, so that a ranking reads no news vector from SQLite.
///
/// The mirror follows the store's `CacheGeneration`: vectors cached since (a larger largest rowid) are loaded
/// incrementally; an invalidation (a larger title-change epoch: vectors were deleted) reloads everything. A cached
/// vector never changes otherwise (an upsert of an existing vector writes the same bits, since a vector depends
/// only on the title and the weights), so a vector in the mirror is a vector of the store. The mirror only moves
/// forward: a caller whose snapshot is older than the mirror leaves it as it is.
///
/// Thread-safe (one lock). Memory: `dimension` floats per cached news, plus an id table.
final class NewsVectorMemory: @unchecked Sendable {
    private let model: CachedModel
    private let lock = NSLock()
    /// The generation the mirror holds; nil before the first load.
    private var generation: CacheGeneration?
    private var rows: [NewsID: Int] = [:]
    private var storage: [Float] = []

    init(model: CachedModel) { self.model = model }

    /// The number of news in the mirror.
    var count: Int { lock.withLock { rows.count } }

    /// Brings the mirror up to `current`, the generation read on `database` in the caller's snapshot.
    func synchronize(to current: CacheGeneration, on database: Database) throws {
        lock.lock()
        defer { lock.unlock() }
        if let held = generation {
            if current.titleChanges < held.titleChanges { return }
            if current.titleChanges == held.titleChanges {
                if current.newsVectors <= held.newsVectors { return }
                try load(after: held.newsVectors, on: database)
                generation = current
                return
            }
        }
        rows = [:]
        storage = []
        try load(after: 0, on: database)
        generation = current
    }

    /// Appends the rows of the vectors added after `rowid` (with the lock held).
    private func load(after rowid: Int, on database: Database) throws {
        let first = storage.count / model.dimension
        let (ids, _) = try database.appendNewsVectors(model: model, after: rowid, to: &storage)
        rows.reserveCapacity(rows.count + ids.count)
        for (offset, id) in ids.enumerated() { rows[id] = first + offset }
    }

    /// Appends the vectors of `ids` to `matrix` (`[ids.count × dimension]`) when the mirror holds every one of them
    /// and returns `[]`; otherwise appends nothing and returns the ids it lacks, in order.
    func append(_ ids: [NewsID], to matrix: inout [Float]) -> [NewsID] {
        let h = model.dimension
        return lock.withLock {
            var found: [Int] = []
            found.reserveCapacity(ids.count)
            var missing: [NewsID] = []
            for id in ids {
                if let row = rows[id] { found.append(row) } else { missing.append(id) }
            }
            guard missing.isEmpty else { return missing }
            matrix.reserveCapacity(matrix.count + ids.count * h)
            storage.withUnsafeBufferPointer { rowsBuffer in
                for row in found { matrix.append(contentsOf: rowsBuffer[row * h ..< (row + 1) * h]) }
            }
            return []
        }
    }
}
