import Foundation
import MIND
import SyntheticMIND

/// How fast the MIND readers stream news.tsv and behaviors.tsv: every column parsed, entities included, nothing
/// stored. Behind `newsrec bench parse`.
public enum ReaderBenchmark {
    /// One file's figures (medians over the repetitions).
    public struct Figure: Sendable, Codable {
        public var file: String
        public var bytes: Int
        public var lines: Int
        /// Candidates of all impressions (behaviors.tsv only).
        public var candidates: Int?
        public var medianSeconds: Double
        public var linesPerSecond: Double
        public var megabytesPerSecond: Double
        public var candidatesPerSecond: Double?
        /// Word vectors only: words of the vocabulary asked for, and of those the words the file has.
        public var wordsWanted: Int?
        public var wordsFound: Int?
        /// Word vectors only: how much the process's peak resident memory grew while the first read ran (the kept
        /// vectors, the read buffer and everything else the read allocated), in MB.
        public var extraPeakMegabytes: Double?
    }

    /// The figures of each file read; encodes as a JSON array of figures.
    public struct Report: Sendable, Encodable {
        public var repetitions: Int
        public var figures: [Figure]

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(figures)
        }
    }

    /// Reads `news` and `behaviors` (either may be nil) `repetitions` times each. Without either file, a
    /// MIND-small-sized synthetic dataset is generated into a temporary directory first (removed afterwards) and
    /// its train split is read. With `wordVectors`, that GloVe text file is read too, keeping the words of the
    /// vocabulary of the news titles (as `newsrec train --word-vectors` does).
    public static func run(news: URL?, behaviors: URL?, wordVectors: URL? = nil, repetitions: Int,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                           log: (String) -> Void) throws -> Report {
        var news = news, behaviors = behaviors
        var temporary: URL?
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        if news == nil && behaviors == nil {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("newsrec-bench-parse-\(UUID().uuidString)")
            temporary = directory
            log("bench: generating a MIND-small-sized dataset into \(directory.path)")
            _ = try SyntheticMINDGenerator(configuration: SyntheticSize.mindSmall.configuration, threads: threads)
                .write(to: directory)
            news = directory.appendingPathComponent("train/news.tsv")
            behaviors = directory.appendingPathComponent("train/behaviors.tsv")
        }
        var figures: [Figure] = []
        if let news {
            figures.append(try measure(news, repetitions: repetitions, log: log) { url in
                var lines = 0
                try NewsReader(url: url).forEach { _, _ in lines += 1 }
                return (lines, nil)
            })
        }
        if let wordVectors, let news {
            figures.append(try measureWordVectors(wordVectors, titlesOf: news, repetitions: repetitions, log: log))
        }
        if let behaviors {
            figures.append(try measure(behaviors, repetitions: repetitions, log: log) { url in
                var lines = 0, candidates = 0
                try BehaviorsReader(url: url).forEach { _, impression in
                    lines += 1
                    candidates += impression.candidates.count
                }
                return (lines, candidates)
            })
        }
        return Report(repetitions: repetitions, figures: figures)
    }

    /// Reads the GloVe file `url` `repetitions` times, keeping the vocabulary of the titles of `news`; the first
    /// read also measures the growth of the process's peak memory.
    private static func measureWordVectors(_ url: URL, titlesOf news: URL, repetitions: Int,
                                           log: (String) -> Void) throws -> Figure {
        var titles: [String] = []
        try NewsReader(url: news).forEach { _, article in titles.append(article.title) }
        let words = Set(Vocabulary(buildingFrom: titles).tokens.dropFirst(2))
        titles = []
        var coverage: WordVectorCoverage?
        var extraPeak: Double?
        var figure = try measure(url, repetitions: repetitions, log: log) { url in
            let before = PeakMemory.resetPeak()
            let vectors = try WordVectors(contentsOf: url, keeping: words)
            if extraPeak == nil, let before, let peak = PeakMemory.peakBytes() {
                extraPeak = Double(peak - before) / 1e6
            }
            coverage = vectors.coverage
            return (vectors.coverage?.rows ?? 0, nil)
        }
        log("bench: \(url.lastPathComponent): \(coverage.map(String.init(describing:)) ?? "")")
        figure.wordsWanted = coverage?.wanted
        figure.wordsFound = coverage?.found
        figure.extraPeakMegabytes = extraPeak
        return figure
    }

    /// Reads `url` `repetitions` times with `read` and returns the median figures.
    private static func measure(_ url: URL, repetitions: Int, log: (String) -> Void,
                                _ read: (URL) throws -> (lines: Int, candidates: Int?)) throws -> Figure {
        let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        var counts: (lines: Int, candidates: Int?) = (0, nil)
        let seconds = try Timing.seconds(repetitions: repetitions) { counts = try read(url) }
        let median = Timing.median(seconds)
        log(String(format: "bench: %@ %.3f s (runs: %@)", url.lastPathComponent, median,
                   seconds.map { String(format: "%.3f", $0) }.joined(separator: " ")))
        return Figure(file: url.path, bytes: bytes, lines: counts.lines, candidates: counts.candidates,
                      medianSeconds: median, linesPerSecond: Double(counts.lines) / median,
                      megabytesPerSecond: Double(bytes) / 1e6 / median,
                      candidatesPerSecond: counts.candidates.map { Double($0) / median })
    }
}

extension ReaderBenchmark.Report: BenchmarkReport {
    public static var jsonFormatting: JSONEncoder.OutputFormatting { [.prettyPrinted, .sortedKeys] }

    /// One line per file: lines, size, time, lines/s, MB/s (and candidates/s for behaviors).
    public var text: String {
        var lines = ["MIND reader throughput (median of \(repetitions)):"]
        for figure in figures {
            var line = String(format: "  %@: %d lines, %.1f MB in %.3f s: %.0f lines/s, %.1f MB/s",
                              figure.file, figure.lines, Double(figure.bytes) / 1e6, figure.medianSeconds,
                              figure.linesPerSecond, figure.megabytesPerSecond)
            if let candidates = figure.candidates, let rate = figure.candidatesPerSecond {
                line += String(format: ", %d candidates (%.0f/s)", candidates, rate)
            }
            if let wanted = figure.wordsWanted, let found = figure.wordsFound {
                line += ", \(found) of \(wanted) vocabulary words found"
                if let extra = figure.extraPeakMegabytes { line += String(format: ", peak memory +%.0f MB", extra) }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
