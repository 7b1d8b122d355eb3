import Dispatch
import Synchronization

/// Runs `body(range)` over `count` items split into at most `threads` contiguous chunks, in parallel.
///
/// With `BackgroundWorker`, the one place newsrec starts threads (`DispatchQueue.concurrentPerform`); with one
/// thread (or one chunk) it runs inline on the caller. The chunks are deterministic for a given `count` and `threads`, so results that depend
/// on the split (floating-point sums) are reproducible.
///
/// - Important: `body` must only write memory that belongs to its own range (see `DisjointWrites`), and
///   must not call multi-threaded BLAS (set the BLAS thread count to 1 when nesting).
/// - Parameters:
///   - count: the number of items (for example sequences).
///   - threads: the maximum number of workers.
///   - minimumChunk: do not split below this many items per worker.
@inlinable
public func parallelFor(_ count: Int, threads: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    parallelForWorkers(count, threads: threads, minimumChunk: minimumChunk) { _, range in body(range) }
}

/// Like `parallelFor`, but also passes the worker number (`0..<threads`), so that each worker can use its
/// own slice of a scratch buffer. Worker `w` of `W` gets the items `w·count/W ..< (w+1)·count/W`.
@inlinable
public func parallelForWorkers(_ count: Int, threads: Int, minimumChunk: Int = 1,
                               _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
    let workers = max(1, min(threads, count / max(minimumChunk, 1)))
    if workers <= 1 {
        if count > 0 { body(0, 0..<count) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        nonisolated(unsafe) let work = escapable
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * count / workers
            let end = (worker + 1) * count / workers
            if start < end { work(worker, start..<end) }
        }
    }
}

/// Calls `body(job, worker)` for every job in `0..<jobs` on up to `threads` threads, handing out jobs one at a
/// time (for jobs of uneven cost), and returns the results in job order, so the output never depends on
/// scheduling. `worker` (in `0..<threads`) names the calling thread, for per-thread scratch memory (`PerWorker`).
public func parallelMap<T>(jobs: Int, threads: Int, _ body: @Sendable (_ job: Int, _ worker: Int) -> T) -> [T] {
    guard jobs > 0 else { return [] }
    let slots = ResultSlots<T>(count: jobs)
    let next = Atomic<Int>(0)
    parallelForWorkers(max(1, min(threads, jobs)), threads: threads) { worker, _ in
        while true {
            let job = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard job < jobs else { break }
            slots.store(body(job, worker), at: job)
        }
    }
    return slots.take()
}

/// One result cell per job; each cell is written by exactly one thread, then read after all threads joined.
private final class ResultSlots<T>: @unchecked Sendable {
    private let cells: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        cells = .allocate(capacity: count)
        cells.initialize(repeating: nil, count: count)
    }

    deinit {
        cells.deinitialize(count: count)
        cells.deallocate()
    }

    func store(_ value: T, at index: Int) { cells[index] = value }

    func take() -> [T] {
        (0..<count).map { index in
            guard let value = cells[index] else { preconditionFailure("job \(index) produced no result") }
            return value
        }
    }
}

/// Per-thread mutable scratch, handed out by worker index (each worker touches only its own element).
public final class PerWorker<T>: @unchecked Sendable {
    private let values: UnsafeMutablePointer<T>
    /// The number of workers.
    public let count: Int

    /// One value per worker, made by `make`.
    public init(count: Int, make: () -> T) {
        self.count = count
        values = .allocate(capacity: count)
        for index in 0..<count { (values + index).initialize(to: make()) }
    }

    deinit {
        values.deinitialize(count: count)
        values.deallocate()
    }

    /// Runs `body` with exclusive access to worker `worker`'s value.
    public func with<R>(_ worker: Int, _ body: (inout T) -> R) -> R {
        body(&values[worker])
    }

    /// All values, after the parallel section.
    public var all: [T] { (0..<count).map { values[$0] } }
}

/// The first error thrown by any of several worker threads (the others are dropped).
public final class FirstError: @unchecked Sendable {
    private let stored = Mutex<(any Error)?>(nil)

    public init() {}

    /// Keeps `error` unless an earlier one was recorded.
    public func record(_ error: any Error) {
        stored.withLock { if $0 == nil { $0 = error } }
    }

    /// Throws the recorded error, if any.
    public func rethrow() throws {
        if let error = stored.withLock({ $0 }) { throw error }
    }
}

/// An unsafe pointer that may be captured by `@Sendable` closures (for example `parallelFor` bodies).
///
/// Invariant, checked by nobody: concurrent users write disjoint elements (for example each worker owns a
/// range of rows), and no element is read while another thread writes it.
public struct DisjointWrites<Element>: @unchecked Sendable {
    /// The wrapped pointer.
    public let base: UnsafeMutablePointer<Element>
    @inlinable public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    @inlinable public init(_ base: UnsafePointer<Element>) { self.base = UnsafeMutablePointer(mutating: base) }
}

/// Runs `work` on the items handed to `submit`, one at a time and in submission order, on a background thread,
/// so that the submitter can prepare the next item meanwhile (a two-stage pipeline). At most `capacity` items wait;
/// `submit` blocks when they do, which bounds the memory the items hold.
///
/// After `work` throws, later items are dropped, and `submit` and `finish` throw that first error.
/// ```swift
/// let writer = BackgroundWorker<Part>(label: "write") { part in try output.add(part) }
/// defer { writer.wait() }                      // never leave work running behind an error
/// for part in parts { try writer.submit(compute(part)) }
/// try writer.finish()
/// ```
public final class BackgroundWorker<Item>: @unchecked Sendable {
    private let queue: DispatchQueue
    private let slots: DispatchSemaphore
    private let failure = FirstError()
    private let work: (Item) throws -> Void

    /// - Parameters:
    ///   - capacity: items submitted but not yet started (at least 1).
    ///   - work: runs on the worker's thread; it may use everything the submitter hands over, which the
    ///     submitter must not touch afterwards.
    public init(label: String, capacity: Int = 1, _ work: @escaping (Item) throws -> Void) {
        queue = DispatchQueue(label: label)
        slots = DispatchSemaphore(value: max(1, capacity) + 1)
        self.work = work
    }

    /// Queues `item`, waiting while `capacity` items wait already.
    /// - Throws: the first error `work` threw, if any (then `item` is dropped).
    public func submit(_ item: Item) throws {
        try failure.rethrow()
        slots.wait()
        nonisolated(unsafe) let handed = item
        queue.async { [self] in
            defer { slots.signal() }
            guard (try? failure.rethrow()) != nil else { return }
            do { try work(handed) } catch { failure.record(error) }
        }
    }

    /// Waits until every submitted item is done (or dropped).
    public func wait() {
        queue.sync {}
    }

    /// Waits until every submitted item is done; throws the first error `work` threw.
    public func finish() throws {
        wait()
        try failure.rethrow()
    }
}
