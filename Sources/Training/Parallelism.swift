import Foundation
import TensorMath

/// How a process spreads work over its cores: `workers` threads each with its own model workspace taking whole
/// shards, and `threadsPerWorker` threads inside each worker's layers (matrix products in fixed blocks,
/// per-sequence loops).
///
/// Every layout computes the same bits: a shard's work never depends on which worker runs it, and the layers'
/// threads split it in fixed blocks (`BLAS.blockedGemm`); OpenBLAS itself runs single-threaded. So the choice is
/// about speed only: whole shards per worker parallelise everything, threads inside a worker keep one batch whole
/// (each news encoded once per batch).
public struct Parallelism: Sendable, Codable, Equatable {
    public var workers: Int
    public var threadsPerWorker: Int

    public init(workers: Int, threadsPerWorker: Int) {
        precondition(workers >= 1 && threadsPerWorker >= 1, "thread counts must be positive")
        self.workers = workers
        self.threadsPerWorker = threadsPerWorker
    }

    /// `threads` workers, each taking whole shards with single-threaded layers.
    public static func dataParallel(_ threads: Int) -> Parallelism { Parallelism(workers: threads, threadsPerWorker: 1) }
    /// One worker whose layers use `threads` threads.
    public static func layerParallel(_ threads: Int) -> Parallelism {
        Parallelism(workers: 1, threadsPerWorker: threads)
    }

    /// The number of cores of this machine.
    public static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// All threads in use.
    public var threads: Int { workers * threadsPerWorker }

    /// Sets OpenBLAS to one thread (process-wide; the layers thread their products themselves, in fixed blocks);
    /// TensorMath also makes OpenBLAS use kernels for this CPU.
    public func activate() { BLAS.setThreadCount(1) }

    enum CodingKeys: String, CodingKey {
        case workers, threadsPerWorker = "blasThreads"
    }
}
