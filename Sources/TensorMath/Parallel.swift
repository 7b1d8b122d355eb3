import Dispatch

/// Runs `body(range)` over `count` items split into at most `threads` contiguous chunks, in parallel.
///
/// Uses `DispatchQueue.concurrentPerform`; with one thread (or one chunk) it runs inline on the caller.
/// The chunks are deterministic for a given `count` and `threads`, so results that depend on the split
/// (floating-point sums) are reproducible.
///
/// - Important: `body` must only write memory that belongs to its own range (see `DisjointWrites`), and
///   must not call multi-threaded BLAS (set `BLAS.threadCount` to 1 when nesting, or keep BLAS calls
///   outside parallel regions).
/// - Parameters:
///   - count: the number of items (for example sequences).
///   - threads: the maximum number of workers.
///   - minimumChunk: do not split below this many items per worker.
@inlinable
public func parallelFor(_ count: Int, threads: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = max(1, min(threads, count / max(minimumChunk, 1)))
    if workers <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        nonisolated(unsafe) let work = escapable
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * count / workers
            let end = (worker + 1) * count / workers
            if start < end { work(start..<end) }
        }
    }
}

/// Like `parallelFor`, but also passes the worker number (`0..<threads`), so that each worker can use its
/// own slice of a scratch buffer.
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
