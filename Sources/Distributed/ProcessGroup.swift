import Foundation

/// The collectives a transport provides. `ProcessGroup` wraps one; implementations are the single-process
/// backend, the MPI backend, and (in tests) in-memory groups of threads.
///
/// Every rank must call the same collectives in the same order; a collective returns on a rank only after
/// every rank has entered it.
public protocol ProcessGroupBackend: AnyObject, Sendable {
    /// This process's rank, `0..<size`.
    var rank: Int { get }
    /// Number of ranks.
    var size: Int { get }
    /// Gathers every rank's bytes (lengths may differ) on every rank, in rank order.
    func allgatherv(_ bytes: [UInt8]) throws(DistributedError) -> GatheredBytes
    /// Returns `root`'s bytes on every rank (`bytes` is ignored on other ranks).
    func broadcast(_ bytes: [UInt8], root: Int) throws(DistributedError) -> [UInt8]
    /// Returns once every rank has entered the barrier.
    func barrier() throws(DistributedError)
    /// Ends the whole job with a non-zero status after printing `message` (already prefixed with the rank).
    func abort(_ message: String) -> Never
    /// Releases the transport. Later collectives throw `DistributedError.finalized`.
    func finalize() throws(DistributedError)
}

/// Every rank's contribution to an `allgatherv`, concatenated in rank order.
public struct GatheredBytes: Sendable {
    /// All contributions, rank 0 first.
    public let bytes: [UInt8]
    /// `ranges[r]` is rank `r`'s part of `bytes`.
    public let ranges: [Range<Int>]

    /// Wraps gathered bytes; `ranges` must tile `bytes` in rank order.
    public init(bytes: [UInt8], ranges: [Range<Int>]) {
        self.bytes = bytes
        self.ranges = ranges
    }

    /// Rank `rank`'s bytes.
    public subscript(rank: Int) -> ArraySlice<UInt8> { bytes[ranges[rank]] }
}

/// The processes of a training job: rank, size, and the few collectives the gradient reduction needs.
///
/// `ProcessGroup.world()` is MPI only when the process was started by `mpirun` (Open MPI sets
/// `OMPI_COMM_WORLD_SIZE` / `PMIX_RANK`); otherwise it is a single-process group and no MPI runtime starts.
/// With `Options.collectiveTimeout` set, a collective that does not finish in time aborts the job with a
/// message instead of hanging (a peer that is alive but stuck never lets the others return).
public final class ProcessGroup: Sendable {
    /// Behaviour shared by all backends.
    public struct Options: Sendable, Equatable {
        /// Longest wait inside one collective before the job is aborted; nil waits forever. It includes waiting
        /// for the slowest rank to arrive, so set it well above the longest step.
        public var collectiveTimeout: Duration?

        /// Options with the given collective timeout (default: none).
        public init(collectiveTimeout: Duration? = nil) { self.collectiveTimeout = collectiveTimeout }
    }

    /// The transport.
    public let backend: any ProcessGroupBackend
    /// The options given at creation.
    public let options: Options
    private let watchdog: CollectiveWatchdog?

    /// A group over `backend` (for example an in-memory group in tests); `world()` is the usual way in.
    public init(backend: any ProcessGroupBackend, options: Options = Options()) {
        self.backend = backend
        self.options = options
        watchdog = options.collectiveTimeout.map { timeout in
            CollectiveWatchdog(timeout: timeout) { [backend] message in
                backend.abort("rank \(backend.rank)/\(backend.size): \(message)")
            }
        }
    }

    /// A group of one process; never touches MPI.
    public static func singleProcess(options: Options = Options()) -> ProcessGroup {
        ProcessGroup(backend: SingleProcessBackend(), options: options)
    }

    /// Whether the environment says this process was launched by Open MPI's `mpirun`/`orterun`.
    public static func launchedByMPI(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// The job's processes: MPI (initialised once per process, `MPI_THREAD_SERIALIZED`, errors returned) when
    /// launched by `mpirun`, otherwise a single-process group.
    public static func world(options: Options = Options()) throws(DistributedError) -> ProcessGroup {
        guard launchedByMPI() else { return singleProcess(options: options) }
        return ProcessGroup(backend: try MPIBackend.world(), options: options)
    }

    /// Runs `body` with `world(options:)` and finalizes; if joining, `body` or finalizing throws, prints the
    /// error and aborts the whole job (other ranks stop too instead of waiting in a collective).
    public static func withWorld<Result>(options: Options = Options(),
                                         _ body: (ProcessGroup) throws -> Result) -> Result {
        let group: ProcessGroup
        do {
            group = try world(options: options)
        } catch {
            FileHandle.standardError.write(Data("distributed: \(error)\n".utf8))
            exit(1)
        }
        do {
            let result = try body(group)
            try group.finalize()
            return result
        } catch {
            group.abort("\(error)")
        }
    }

    /// This process's rank, `0..<size`.
    public var rank: Int { backend.rank }
    /// Number of processes.
    public var size: Int { backend.size }

    /// Gathers every rank's bytes on every rank, in rank order.
    public func allgatherv(_ bytes: [UInt8]) throws(DistributedError) -> GatheredBytes {
        try guarded("allgatherv") { () throws(DistributedError) in try backend.allgatherv(bytes) }
    }

    /// Returns `root`'s bytes on every rank.
    public func broadcast(_ bytes: [UInt8], root: Int) throws(DistributedError) -> [UInt8] {
        guard (0..<size).contains(root) else { throw .invalidArgument("broadcast root \(root) is not in 0..<\(size)") }
        return try guarded("broadcast") { () throws(DistributedError) in try backend.broadcast(bytes, root: root) }
    }

    /// Returns once every rank has entered the barrier.
    public func barrier() throws(DistributedError) {
        try guarded("barrier") { () throws(DistributedError) in try backend.barrier() }
    }

    /// Prints `message` with this rank's number and ends the whole job with a non-zero status.
    public func abort(_ message: String) -> Never {
        backend.abort("rank \(rank)/\(size): \(message)")
    }

    /// Releases the transport (`MPI_Finalize`); every rank must call it. Later collectives throw.
    public func finalize() throws(DistributedError) {
        try guarded("finalize") { () throws(DistributedError) in try backend.finalize() }
    }

    private func guarded<T>(_ name: String, _ operation: () throws(DistributedError) -> T) throws(DistributedError) -> T {
        guard let watchdog else { return try operation() }
        let ticket = watchdog.arm(name)
        defer { watchdog.disarm(ticket) }
        return try operation()
    }
}
