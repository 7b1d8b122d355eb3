import Dispatch
import Foundation

/// Wall-clock measurements shared by the benchmarks.
enum Timing {
    /// Seconds on the monotonic clock since an arbitrary origin.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The wall time of each of `repetitions` runs of `body` (at least one), after `warmup` untimed runs.
    static func seconds(warmup: Int = 0, repetitions: Int, _ body: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        for _ in 0..<max(1, repetitions) {
            let start = now()
            try body()
            times.append(now() - start)
        }
        return times
    }

    /// The median of `values` (the mean of the two middle values for an even count); 0 when empty.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Latency percentiles of a series of queries, in milliseconds: wall clock, and the CPU time of the process (all its
/// threads), which on a machine shared with other work shows what a query costs without the waits for a core.
public struct Latency: Sendable, Codable {
    public var p50: Double
    public var p99: Double
    public var mean: Double
    public var cpuP50: Double
    public var count: Int

    /// Percentiles (nearest rank) of `wall` and `cpu` samples (milliseconds).
    public init(wall: [Double], cpu: [Double]) {
        p50 = Self.percentile(0.5, of: wall)
        p99 = Self.percentile(0.99, of: wall)
        mean = wall.isEmpty ? 0 : wall.reduce(0, +) / Double(wall.count)
        cpuP50 = Self.percentile(0.5, of: cpu)
        count = wall.count
    }

    /// The nearest-rank `p` percentile of `samples`.
    static func percentile(_ p: Double, of samples: [Double]) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

/// Wall and process-CPU milliseconds of each call of `time(_:)`.
struct Stopwatch {
    var wall: [Double] = []
    var cpu: [Double] = []

    mutating func time<T>(_ body: () throws -> T) rethrows -> T {
        let wall0 = DispatchTime.now().uptimeNanoseconds, cpu0 = Self.processCPUNanoseconds()
        let result = try body()
        cpu.append(Double(Self.processCPUNanoseconds() - cpu0) / 1e6)
        wall.append(Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e6)
        return result
    }

    var latency: Latency { Latency(wall: wall, cpu: cpu) }

    /// User + system CPU time of this process so far (all threads), in nanoseconds.
    static func processCPUNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
