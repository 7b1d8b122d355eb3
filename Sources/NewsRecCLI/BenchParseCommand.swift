import Benchmarks
import Foundation

/// `newsrec bench parse`: how fast the MIND readers stream news.tsv and behaviors.tsv (no store involved).
struct BenchParseCommand: Command {
    static let configuration = CommandConfiguration(
        name: "parse",
        abstract: "MIND readers: lines/s and MB/s for news.tsv and behaviors.tsv",
        discussion: """
            Streams each file through the MIND reader (every column parsed, entities included; nothing stored)
            and reports the median over --reps runs: lines/s, MB/s and, for behaviors, candidates/s. Without
            files, a MIND-small-sized synthetic dataset is generated into a temporary directory first (removed
            afterwards) and its train split is read.
            """,
        examples: ["newsrec bench parse --news MINDsmall_train/news.tsv --behaviors MINDsmall_train/behaviors.tsv"])

    static let news = MINDFileOptions.news.optional()
    static let behaviors = MINDFileOptions.behaviors.optional()
    static let repetitions = BenchmarkOptions.repetitions.withDefault(3)

    static var options: [any OptionDeclaration] { [news, behaviors, repetitions, OutputOptions.json] }

    var news: String?
    var behaviors: String?
    var repetitions: Int
    var json: Bool

    init(options: ParsedOptions) {
        news = options[Self.news]
        behaviors = options[Self.behaviors]
        repetitions = options[Self.repetitions]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        let report = try ReaderBenchmark.run(news: news.map { URL(fileURLWithPath: $0) },
                                             behaviors: behaviors.map { URL(fileURLWithPath: $0) },
                                             repetitions: repetitions, log: context.log)
        try context.print(report, json: json)
    }
}
