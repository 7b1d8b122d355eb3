import Foundation
import TensorMath

/// How work is spread over the cores: `workers` threads each with its own model workspace, every BLAS call
/// using `blasThreads` threads. Use one level at a time (workers × 1, or 1 × BLAS threads).
public struct Parallelism: Sendable, Codable, Equatable {
    public var workers: Int
    public var blasThreads: Int

    public init(workers: Int, blasThreads: Int) {
        precondition(workers >= 1 && blasThreads >= 1, "thread counts must be positive")
        self.workers = workers
        self.blasThreads = blasThreads
    }

    /// Data parallel: `threads` workers, single-threaded BLAS.
    public static func dataParallel(_ threads: Int) -> Parallelism { Parallelism(workers: threads, blasThreads: 1) }
    /// One worker, multi-threaded BLAS.
    public static func blas(_ threads: Int) -> Parallelism { Parallelism(workers: 1, blasThreads: threads) }

    /// The number of cores of this machine.
    public static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Applies the BLAS thread count (process-wide; TensorMath also makes OpenBLAS use kernels for this CPU).
    public func activate() { BLAS.setThreadCount(blasThreads) }
}
