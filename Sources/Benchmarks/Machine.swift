import Foundation
import TensorMath

/// The machine a benchmark ran on.
public struct Machine: Sendable, Codable, Equatable {
    /// Active processor cores.
    public var cores: Int
    /// The CPU model name from /proc/cpuinfo ("unknown CPU" elsewhere).
    public var cpu: String
    /// Physical memory in GiB.
    public var memoryGiB: Double
    /// The OpenBLAS kernel set in use.
    public var blasKernels: String

    /// This machine.
    public static func current() -> Machine {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return Machine(cores: ProcessInfo.processInfo.activeProcessorCount, cpu: model,
                       memoryGiB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824,
                       blasKernels: BLAS.kernelName)
    }
}
