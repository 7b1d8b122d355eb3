import Foundation

/// The process's peak resident memory (Linux `VmHWM`), and resetting it, to measure what one operation adds.
enum PeakMemory {
    /// Resets the peak to the current resident memory (`/proc/self/clear_refs` ← 5) and returns that memory in
    /// bytes; nil where /proc is not available.
    static func resetPeak() -> Int? {
        guard FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs"),
              (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil else {
            return nil
        }
        return field("VmRSS")
    }

    /// The peak resident memory since the last reset (or the start), in bytes.
    static func peakBytes() -> Int? { field("VmHWM") }

    /// A `kB` field of /proc/self/status, in bytes.
    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kilobytes * 1024
    }
}
