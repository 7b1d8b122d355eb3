import Benchmarks
import Foundation

/// `newsrec bench parse`: how fast the MIND readers stream news.tsv and behaviors.tsv (no store involved).
struct BenchParseCommand: Command {
    static let configuration = CommandConfiguration(
        name: "parse",
        abstract: "MIND readers: lines/s and MB/s for news.tsv, behaviors.tsv and GloVe word vectors",
        discussion: """
            Streams each file through the MIND reader (every column parsed, entities included; nothing stored)
            and reports the median over --reps runs: lines/s, MB/s and, for behaviors, candidates/s. Without
            files, a MIND-small-sized synthetic dataset is generated into a temporary directory first (removed
            afterwards) and its train split is read.

            With --word-vectors, that GloVe text file is streamed as train --word-vectors reads it: only the
            words of the vocabulary of the news titles are kept (their numbers alone parsed). Reported with
            MB/s: words found of the vocabulary, and how much the process's peak memory grew during the read.
            """,
        examples: ["newsrec bench parse --news MINDsmall_train/news.tsv --behaviors MINDsmall_train/behaviors.tsv",
                   "newsrec bench parse --news MINDsmall_train/news.tsv --word-vectors glove.840B.300d.txt"])

    static let news = MINDFileOptions.news.optional()
    static let behaviors = MINDFileOptions.behaviors.optional()
    static let wordVectors = Option.optional(
        "--word-vectors", .path("FILE"), help: "a GloVe text file to stream, keeping the vocabulary of --news")
    static let repetitions = BenchmarkOptions.repetitions.withDefault(3)

    static var options: [any OptionDeclaration] { [news, behaviors, wordVectors, repetitions, OutputOptions.json] }

    static func validate(_ options: ParsedOptions) throws {
        if options.isGiven(wordVectors) && !options.isGiven(news) {
            throw UsageError("--word-vectors needs --news (its titles give the vocabulary to keep)")
        }
    }

    var news: String?
    var behaviors: String?
    var wordVectors: String?
    var repetitions: Int
    var json: Bool

    init(options: ParsedOptions) {
        news = options[Self.news]
        behaviors = options[Self.behaviors]
        wordVectors = options[Self.wordVectors]
        repetitions = options[Self.repetitions]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        let report = try ReaderBenchmark.run(news: news.map { URL(fileURLWithPath: $0) },
                                             behaviors: behaviors.map { URL(fileURLWithPath: $0) },
                                             wordVectors: wordVectors.map { URL(fileURLWithPath: $0) },
                                             repetitions: repetitions, log: context.log)
        try context.print(report, json: json)
    }
}
