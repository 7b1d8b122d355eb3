import Dispatch
import Synchronization

/// Runs independent jobs on a fixed number of threads and returns their results in job order, so the output
/// never depends on scheduling.
enum Parallel {
    /// Calls `body(job, worker)` for every job in `0..<jobs` on up to `threads` threads; `worker` (in
    /// `0..<threads`) names the calling thread, for per-thread scratch memory. Results come back in job order.
    static func map<T>(jobs: Int, threads: Int, _ body: @Sendable (_ job: Int, _ worker: Int) -> T) -> [T] {
        guard jobs > 0 else { return [] }
        let workers = max(1, min(threads, jobs))
        let slots = Slots<T>(count: jobs)
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while true {
                let job = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard job < jobs else { break }
                slots.store(body(job, worker), at: job)
            }
        }
        return slots.take()
    }

    /// One result cell per job; each cell is written by exactly one thread, then read after all threads joined.
    private final class Slots<T>: @unchecked Sendable {
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
}

/// Per-thread mutable scratch, handed out by worker index (each worker touches only its own element).
final class PerWorker<T>: @unchecked Sendable {
    private let values: UnsafeMutablePointer<T>
    let count: Int

    init(count: Int, make: () -> T) {
        self.count = count
        values = .allocate(capacity: count)
        for index in 0..<count { (values + index).initialize(to: make()) }
    }

    deinit {
        values.deinitialize(count: count)
        values.deallocate()
    }

    /// Runs `body` with exclusive access to worker `worker`'s value.
    func with<R>(_ worker: Int, _ body: (inout T) -> R) -> R {
        body(&values[worker])
    }

    /// All values, after the parallel section.
    var all: [T] { (0..<count).map { values[$0] } }
}
