import Foundation

extension ModelBenchmark.Report: BenchmarkReport {
    public static var jsonFormatting: JSONEncoder.OutputFormatting { [.prettyPrinted, .sortedKeys] }

    /// The report as aligned text tables: the batch measurements, then the scaling table.
    public var text: String {
        var lines = ["newsrec model benchmarks: \(threads) threads, median of \(repetitions)"]
        if !model.isEmpty {
            lines.append("")
            lines += modelLines
        }
        if !scaling.isEmpty {
            lines.append("")
            lines += scalingLines
        }
        return lines.joined(separator: "\n")
    }

    private var modelLines: [String] {
        var lines = ["encoder    part          mode     shape           median ms     min ms   GFLOP/s"]
        for r in model {
            var line = r.encoder.padding(toLength: 11, withPad: " ", startingAt: 0)
                + r.part.padding(toLength: 14, withPad: " ", startingAt: 0)
                + r.mode.padding(toLength: 9, withPad: " ", startingAt: 0)
                + r.shape.padding(toLength: 14, withPad: " ", startingAt: 0)
            line += String(format: "%11.1f %10.1f %9.1f", (r.medianSeconds ?? 0) * 1e3, (r.minimumSeconds ?? 0) * 1e3,
                           r.gflops ?? 0)
            if let samples = r.samplesPerSecond { line += String(format: "  (%.1f samples/s)", samples) }
            lines.append(line)
        }
        return lines
    }

    private var scalingLines: [String] {
        var lines = ["one attention layer, fwd+bwd (ms; GFLOP/s in brackets)"]
        let encoders = Array(Set(scaling.map(\.encoder))).sorted()
        lines.append("part                      "
            + encoders.map { $0.padding(toLength: 22, withPad: " ", startingAt: 0) }.joined())
        var parts: [String] = []
        for r in scaling where !parts.contains(r.part) { parts.append(r.part) }
        for part in parts {
            var line = part.padding(toLength: 26, withPad: " ", startingAt: 0)
            for encoder in encoders {
                guard let r = scaling.first(where: { $0.part == part && $0.encoder == encoder }) else { continue }
                let cell = r.medianSeconds.map { String(format: "%9.1f (%6.1f)", $0 * 1e3, r.gflops ?? 0) }
                    ?? "  skipped"
                line += cell.padding(toLength: 22, withPad: " ", startingAt: 0)
            }
            lines.append(line)
        }
        return lines
    }
}
