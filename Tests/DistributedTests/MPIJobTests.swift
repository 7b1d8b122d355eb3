import Foundation
import TestSupport
import Testing

/// Runs `mpi-selftest` under real `mpirun`.
///
/// The binary is the one SwiftPM built next to this test bundle in the same `swift test` invocation, in the active
/// configuration (`BuiltProducts`; the test target depends on `mpi-selftest`, so it is brought up to date first).
@Suite("MPI jobs", .serialized)
struct MPIJobTests {
    typealias Run = ProcessRun.Result
    static var mpirun: URL? { ProcessRun.mpirun }

    static func selftest() throws -> URL {
        try BuiltProducts.executable("mpi-selftest")
    }

    static func run(_ executable: URL, _ arguments: [String], timeout: Double = 60) throws -> Run {
        try ProcessRun.run(executable, arguments, timeout: timeout)
    }

    static func mpirunArguments(ranks: Int, _ arguments: [String]) throws -> [String] {
        ["-np", "\(ranks)", "--oversubscribe", try selftest().path] + arguments
    }

    @Test("mpirun -np 1, 2, 4 reproduce the single-process bits for S = 8, 7, 13 (2 threads per rank)")
    func matchesSingleProcess() throws {
        guard let mpirun = Self.mpirun else {
            print("MPIJobTests: mpirun not found on PATH; skipping the real-MPI comparison")
            return
        }
        let single = try Self.run(try Self.selftest(), ["check"])
        #expect(single.status == 0, "\(single.errors)")
        let expected = single.output.split(separator: "\n").map { $0.replacingOccurrences(of: "ranks=1", with: "ranks=N") }
        #expect(expected.count == 3)
        for ranks in [1, 2, 4] {
            let job = try Self.run(mpirun, try Self.mpirunArguments(ranks: ranks, ["check"]))
            #expect(job.status == 0, "np \(ranks): \(job.errors)")
            let lines = job.output.split(separator: "\n").map { $0.replacingOccurrences(of: "ranks=\(ranks)", with: "ranks=N") }
            #expect(lines == expected, "np \(ranks)")
        }
    }

    @Test("a rank that exits, is killed or throws mid-step ends the job non-zero within seconds",
          arguments: ["exit", "kill", "throw"])
    func deadRank(how: String) throws {
        guard let mpirun = Self.mpirun else {
            print("MPIJobTests: mpirun not found on PATH; skipping the dead-rank test")
            return
        }
        let job = try Self.run(mpirun, try Self.mpirunArguments(ranks: 2, ["fail", "--how", how]), timeout: 20)
        #expect(job.status != 0)
        #expect(job.seconds < 10)
        #expect(job.output.contains("rank 1 failing: \(how)"))
        #expect(!job.output.contains("finished a reduction"))
    }

    @Test("a rank that stalls without dying: the collective timeout aborts the job with a message")
    func stalledRank() throws {
        guard let mpirun = Self.mpirun else {
            print("MPIJobTests: mpirun not found on PATH; skipping the stalled-rank test")
            return
        }
        let arguments = ["fail", "--how", "stall", "--timeout-ms", "1000"]
        let job = try Self.run(mpirun, try Self.mpirunArguments(ranks: 2, arguments), timeout: 20)
        #expect(job.status != 0)
        #expect(job.seconds < 10)
        #expect(job.errors.contains("allgatherv did not complete within 1.0 seconds"))
    }
}
