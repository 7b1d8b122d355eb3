import Benchmarks
import Foundation

/// `newsrec bench rank`: the ranking benchmark (latency of rank queries from the store).
struct BenchRankCommand: Command {
    static let configuration = CommandConfiguration(
        name: "rank",
        abstract: "ranking from the store: warm/cold query latency, whole-catalogue top 10",
        discussion: """
            Generates a synthetic MIND dataset (SyntheticMIND: titles of about 11 words from topic vocabularies;
            users whose histories are their clicks in the 4 weeks before their impressions) and ingests its
            train, dev and test splits and its whole news catalogue into a new store, embeds every news, then
            times:
              - rank queries of --candidate-count candidates for the user with the longest history, whose vector
                is cached (warm), p50/p99;
              - rank queries for other users, longest histories first, whose vector is not cached yet (cold: the
                user encoder runs over the cached vectors of their last clicks, at most the model's history
                length, and the vector is written to the store);
              - the top 10 of every cached news for one user (first query loads all vectors into one matrix).
            All news vectors are cached before the timed queries. Without --model the model is a randomly
            initialised NRMS/Fastformer of the MIND sizes (word_dim 300, hidden 256, 16 heads, title 30,
            history 50) whose vocabulary is the synthetic titles' words.
            """,
        examples: ["newsrec bench rank", "newsrec bench rank --model runs/fastformer --json"])

    private static let defaults = RankBenchmark.Options()
    static let warm = Option(
        "--warm", .integer, default: defaults.warmQueries, rule: .atLeast(1), help: "warm queries timed")
    static let cold = Option(
        "--cold", .integer, default: defaults.coldQueries, rule: .atLeast(1),
        help: "cold queries timed (at most the users with a history − 1)")

    static var options: [any OptionDeclaration] { BenchStoreOptions.all + [warm, cold, OutputOptions.json] }

    var store: BenchStoreOptions.Choice
    var benchmark: RankBenchmark.Options
    var json: Bool

    static func validate(_ options: ParsedOptions) throws { try BenchStoreOptions.validate(options) }

    init(options: ParsedOptions) {
        store = BenchStoreOptions.Choice(options: options)
        benchmark = store.store
        benchmark.warmQueries = options[Self.warm]
        benchmark.coldQueries = options[Self.cold]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        let report = try store.run(scratchName: "bench-rank") { path, model in
            try RankBenchmark.run(storePath: path, options: benchmark, model: model, log: context.log)
        }
        try context.print(report, json: json)
    }
}
