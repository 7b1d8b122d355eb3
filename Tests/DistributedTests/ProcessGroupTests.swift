import Testing
@testable import Distributed

@Suite("Process groups")
struct ProcessGroupTests {
    @Test("MPI is chosen only under mpirun; a plain run is a single process that starts no MPI runtime")
    func worldSelection() throws {
        #expect(!ProcessGroup.launchedByMPI(environment: ["PATH": "/usr/bin"]))
        #expect(ProcessGroup.launchedByMPI(environment: ["OMPI_COMM_WORLD_SIZE": "2"]))
        #expect(ProcessGroup.launchedByMPI(environment: ["PMIX_RANK": "0"]))
        let world = try ProcessGroup.world()
        #expect(world.rank == 0 && world.size == 1)
        #expect(world.backend is SingleProcessBackend)
    }

    @Test("single process: collectives return the process's own data")
    func singleProcess() throws {
        let group = ProcessGroup.singleProcess()
        let gathered = try group.allgatherv([1, 2, 3])
        #expect(Array(gathered[0]) == [1, 2, 3] && gathered.ranges == [0..<3])
        #expect(try group.broadcast([4], root: 0) == [4])
        #expect(throws: DistributedError.self) { try group.broadcast([4], root: 1) }
        try group.barrier()
        try group.finalize()
    }

    @Test("in-memory ranks: allgatherv in rank order with different lengths, broadcast from any root")
    func inMemoryCollectives() throws {
        let results = runRanks(3) { group in
            let gathered = try group.allgatherv(Array(repeating: UInt8(group.rank), count: group.rank))
            let broadcast = try group.broadcast([UInt8(10 + group.rank)], root: 2)
            try group.barrier()
            return (gathered.bytes, gathered.ranges, broadcast)
        }
        for result in results {
            let (bytes, ranges, broadcast) = try result.get()
            #expect(bytes == [1, 2, 2] && ranges == [0..<0, 0..<1, 1..<3] && broadcast == [12])
        }
    }
}
