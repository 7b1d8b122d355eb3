import Basics
import Synchronization
import Testing

@Suite("Parallel for")
struct ParallelTests {
    @Test("parallelForWorkers covers every item once, in contiguous ranges per worker", arguments: [1, 2, 3, 8])
    func coverage(threads: Int) {
        let count = 1001
        let hits = Mutex([Int](repeating: 0, count: count))
        let workersSeen = Mutex<Set<Int>>([])
        parallelForWorkers(count, threads: threads) { worker, range in
            workersSeen.withLock { _ = $0.insert(worker) }
            #expect(range.lowerBound == worker * count / threads)
            hits.withLock { for item in range { $0[item] += 1 } }
        }
        #expect(hits.withLock { $0 } == [Int](repeating: 1, count: count))
        #expect(workersSeen.withLock { $0 } == Set(0..<threads))
    }

    @Test("minimumChunk keeps small counts on one worker")
    func minimumChunk() {
        let workers = Mutex<Set<Int>>([])
        parallelForWorkers(100, threads: 4, minimumChunk: 64) { worker, _ in workers.withLock { _ = $0.insert(worker) } }
        #expect(workers.withLock { $0 } == [0])
    }

    @Test("parallelMap returns results in job order whatever the scheduling")
    func mapOrder() {
        let results = parallelMap(jobs: 500, threads: 4) { job, _ in job * job }
        #expect(results == (0..<500).map { $0 * $0 })
        #expect(parallelMap(jobs: 0, threads: 4) { job, _ in job }.isEmpty)
    }

    @Test("FirstError keeps the first error recorded")
    func firstError() {
        struct Failure: Error, Equatable { let id: Int }
        let errors = FirstError()
        #expect(throws: Never.self) { try errors.rethrow() }
        errors.record(Failure(id: 1))
        errors.record(Failure(id: 2))
        #expect(throws: Failure(id: 1)) { try errors.rethrow() }
    }
}
