import Foundation
import MIND
import SyntheticMIND

/// `newsrec bench --parse`: how fast the MIND readers stream news.tsv and behaviors.tsv (no store involved).
/// `BenchCommand` parses `--parse` and hands the remaining options to this command.
struct ParseBenchCommand: Command {
    static let name = "bench --parse"
    static let abstract = "Benchmark the MIND readers: lines/s and MB/s for news.tsv and behaviors.tsv."
    static let help = """
        Usage: newsrec bench --parse [--news news.tsv] [--behaviors behaviors.tsv] [--reps 3] [--json]

        Streams each file through the MIND reader (every column parsed, entities included; nothing stored) and
        reports the median over --reps runs: lines/s, MB/s and, for behaviors, candidates/s. Without files, a
        MIND-small-sized synthetic dataset is generated into a temporary directory first (removed afterwards).

        Example:
          newsrec bench --parse --news MINDsmall_train/news.tsv --behaviors MINDsmall_train/behaviors.tsv
        """

    var news: String?
    var behaviors: String?
    var repetitions: Int
    var json: Bool

    init(arguments: inout ArgumentScanner) throws {
        news = try arguments.option("--news")
        behaviors = try arguments.option("--behaviors")
        repetitions = try arguments.option("--reps", as: Int.self) ?? 3
        json = arguments.flag("--json")
        guard repetitions >= 1 else { throw UsageError("--reps must be at least 1") }
    }

    /// One file's figures.
    struct Figure: Encodable {
        var file: String
        var bytes: Int
        var lines: Int
        var candidates: Int?
        var medianSeconds: Double
        var linesPerSecond: Double
        var megabytesPerSecond: Double
        var candidatesPerSecond: Double?
    }

    func run(context: CommandContext) throws {
        var newsURL = news.map { URL(fileURLWithPath: $0) }
        var behaviorsURL = behaviors.map { URL(fileURLWithPath: $0) }
        var temporary: URL?
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        if newsURL == nil && behaviorsURL == nil {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("newsrec-bench-parse-\(UUID().uuidString)")
            temporary = directory
            context.log("bench: generating a MIND-small-sized dataset into \(directory.path)")
            let configuration = SyntheticMINDConfiguration(users: 50_000, news: 65_000, impressions: 230_000, seed: 1)
            _ = try SyntheticMINDGenerator(configuration: configuration).write(to: directory)
            newsURL = directory.appendingPathComponent("train/news.tsv")
            behaviorsURL = directory.appendingPathComponent("train/behaviors.tsv")
        }
        var figures: [Figure] = []
        if let newsURL {
            figures.append(try measure(newsURL, context: context) { url in
                var lines = 0
                try NewsReader(url: url).forEach { _, _ in lines += 1 }
                return (lines, nil)
            })
        }
        if let behaviorsURL {
            figures.append(try measure(behaviorsURL, context: context) { url in
                var lines = 0
                var candidates = 0
                try BehaviorsReader(url: url).forEach { _, impression in
                    lines += 1
                    candidates += impression.candidates.count
                }
                return (lines, candidates)
            })
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            context.print(String(decoding: try encoder.encode(figures), as: UTF8.self))
            return
        }
        context.print("MIND reader throughput (median of \(repetitions)):")
        for figure in figures {
            var line = String(format: "  %@: %d lines, %.1f MB in %.3f s: %.0f lines/s, %.1f MB/s",
                              figure.file, figure.lines, Double(figure.bytes) / 1e6, figure.medianSeconds,
                              figure.linesPerSecond, figure.megabytesPerSecond)
            if let candidates = figure.candidates, let rate = figure.candidatesPerSecond {
                line += String(format: ", %d candidates (%.0f/s)", candidates, rate)
            }
            context.print(line)
        }
    }

    /// Reads `url` `repetitions` times with `read` and returns the median figures.
    private func measure(_ url: URL, context: CommandContext,
                         _ read: (URL) throws -> (lines: Int, candidates: Int?)) throws -> Figure {
        let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        var seconds: [Double] = []
        var counts: (lines: Int, candidates: Int?) = (0, nil)
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            counts = try read(url)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = seconds.sorted()[seconds.count / 2]
        context.log(String(format: "bench: %@ %.3f s (runs: %@)", url.lastPathComponent, median,
                           seconds.map { String(format: "%.3f", $0) }.joined(separator: " ")))
        return Figure(file: url.path, bytes: bytes, lines: counts.lines, candidates: counts.candidates,
                      medianSeconds: median, linesPerSecond: Double(counts.lines) / median,
                      megabytesPerSecond: Double(bytes) / 1e6 / median,
                      candidatesPerSecond: counts.candidates.map { Double($0) / median })
    }
}
