import CMPI
import Foundation
import Synchronization

/// `MPI_COMM_WORLD` of Open MPI, initialised once per process with `MPI_THREAD_SERIALIZED` and
/// `MPI_ERRORS_RETURN`, so a failing call becomes a `DistributedError.mpi` naming the call.
///
/// Calls are serialized by a lock (any thread may call, one at a time). `abort` does not take the lock: the
/// watchdog calls it while another thread is blocked inside a collective.
final class MPIBackend: ProcessGroupBackend {
    let rank: Int
    let size: Int
    /// Held during every MPI call; true once `MPI_Finalize` ran.
    private let finalized = Mutex<Bool>(false)

    private static let shared = Mutex<MPIBackend?>(nil)

    /// The process's backend, initialising MPI on first use.
    static func world() throws(DistributedError) -> MPIBackend {
        try shared.withLock { (slot: inout MPIBackend?) throws(DistributedError) -> MPIBackend in
            if let existing = slot { return existing }
            let backend = try MPIBackend()
            slot = backend
            return backend
        }
    }

    private init() throws(DistributedError) {
        var provided: Int32 = 0
        try Self.check("MPI_Init_thread", MPI_Init_thread(nil, nil, cmpi_thread_serialized(), &provided))
        try Self.check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()))
        guard provided >= cmpi_thread_serialized() else {
            throw .threadSupport(requested: cmpi_thread_serialized(), provided: provided)
        }
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check("MPI_Comm_rank", MPI_Comm_rank(cmpi_comm_world(), &rank))
        try Self.check("MPI_Comm_size", MPI_Comm_size(cmpi_comm_world(), &size))
        self.rank = Int(rank)
        self.size = Int(size)
    }

    func allgatherv(_ bytes: [UInt8]) throws(DistributedError) -> GatheredBytes {
        try serialized("MPI_Allgatherv") { () throws(DistributedError) -> GatheredBytes in
            let counts = try gatherCounts(bytes.count)
            let total = counts.reduce(0, +)
            guard total <= Int(Int32.max) else { throw .messageTooLarge(call: "MPI_Allgatherv", bytes: total) }
            var ranges: [Range<Int>] = [], start = 0
            for count in counts {
                ranges.append(start..<start + count)
                start += count
            }
            let counts32 = counts.map { Int32($0) }, displacements = ranges.map { Int32($0.lowerBound) }
            let send = bytes.isEmpty ? [0] : bytes   // MPI wants a valid address even for 0 bytes
            var code: Int32 = 0
            let gathered = [UInt8](unsafeUninitializedCapacity: max(total, 1)) { out, initialized in
                code = MPI_Allgatherv(send, Int32(bytes.count), cmpi_byte(), out.baseAddress, counts32, displacements,
                                      cmpi_byte(), cmpi_comm_world())
                initialized = code == cmpi_success() ? total : 0
            }
            try Self.check("MPI_Allgatherv", code)
            return GatheredBytes(bytes: gathered, ranges: ranges)
        }
    }

    /// Every rank's byte count, in rank order (an `MPI_Allgather` of one `Int64` each).
    private func gatherCounts(_ count: Int) throws(DistributedError) -> [Int] {
        var mine = Int64(count)
        var counts = [Int64](repeating: 0, count: size)
        try Self.check("MPI_Allgather", MPI_Allgather(&mine, 1, cmpi_int64(), &counts, 1, cmpi_int64(), cmpi_comm_world()))
        return counts.map { Int($0) }
    }

    func broadcast(_ bytes: [UInt8], root: Int) throws(DistributedError) -> [UInt8] {
        try serialized("MPI_Bcast") { () throws(DistributedError) -> [UInt8] in
            var count = Int64(bytes.count)
            try Self.check("MPI_Bcast", MPI_Bcast(&count, 1, cmpi_int64(), Int32(root), cmpi_comm_world()))
            guard count <= Int64(Int32.max) else { throw .messageTooLarge(call: "MPI_Bcast", bytes: Int(count)) }
            guard count > 0 else { return [] }
            var buffer = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count))
            try Self.check("MPI_Bcast", MPI_Bcast(&buffer, Int32(count), cmpi_byte(), Int32(root), cmpi_comm_world()))
            return buffer
        }
    }

    func barrier() throws(DistributedError) {
        try serialized("MPI_Barrier") { () throws(DistributedError) in
            try Self.check("MPI_Barrier", MPI_Barrier(cmpi_comm_world()))
        }
    }

    func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("distributed: \(message)\n".utf8))
        MPI_Abort(cmpi_comm_world(), 1)
        exit(1)
    }

    func finalize() throws(DistributedError) {
        try finalized.withLock { (done: inout Bool) throws(DistributedError) in
            guard !done else { return }
            done = true
            try Self.check("MPI_Finalize", MPI_Finalize())
        }
    }

    private func serialized<T: Sendable>(_ call: String, _ body: () throws(DistributedError) -> T) throws(DistributedError) -> T {
        try finalized.withLock { (done: inout Bool) throws(DistributedError) -> T in
            guard !done else { throw .finalized(call: call) }
            return try body()
        }
    }

    private static func check(_ call: String, _ code: Int32) throws(DistributedError) {
        guard code != cmpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw .mpi(call: call, code: code, message: String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
