import Benchmarks
import Foundation
import Store

/// The options of the benchmarks that rank from a synthetic store built for the run (`bench rank`,
/// `bench serve`): the model, the sizes of the synthetic data and candidate lists, and where the store goes.
enum BenchStoreOptions {
    private static let defaults = RankBenchmark.Options()
    static let model = NRMSOptions.model.optional()
    static let newsCount = SyntheticDataOptions.newsCount.withDefault(
        defaults.newsCount, help: "news in the synthetic catalogue, all of them in the store")
    static let userCount = SyntheticDataOptions.userCount.withDefault(defaults.userCount)
    static let impressionCount = SyntheticDataOptions.impressionCount.withDefault(
        defaults.impressionCount, help: "impressions over train, dev and test (they give the users their histories)")
    static let candidateCount = Option(
        "--candidate-count", .integer, default: defaults.candidateCount, rule: .atLeast(1),
        help: "candidates per rank query")
    static let database = StoreOptions.database.optional(
        help: "where to build the store (must not exist; kept afterwards; default: a temporary file, removed)")

    /// The group, in the order `--help` lists it.
    static let all: [any OptionDeclaration] = [model, newsCount, userCount, impressionCount, candidateCount, database]

    /// Refuses a catalogue too small for the candidate lists and a `--db` that exists.
    static func validate(_ options: ParsedOptions) throws {
        guard options[newsCount] >= 2 * options[candidateCount] else {
            throw UsageError("--news-count must be at least twice --candidate-count")
        }
        if let path = options[database], FileManager.default.fileExists(atPath: path) {
            throw UsageError("--db \(path) exists; the benchmark builds a fresh store")
        }
    }

    /// What the group chose: the store's sizes, the model and the store's path.
    struct Choice {
        var store = RankBenchmark.Options()
        var model: String?
        var database: String?

        init(options: ParsedOptions) {
            store.newsCount = options[BenchStoreOptions.newsCount]
            store.userCount = options[BenchStoreOptions.userCount]
            store.impressionCount = options[BenchStoreOptions.impressionCount]
            store.candidateCount = options[BenchStoreOptions.candidateCount]
            model = options[BenchStoreOptions.model]
            database = options[BenchStoreOptions.database]
        }

        /// Runs `body` with the store's path (`--db`, or a temporary file removed afterwards, with its WAL files)
        /// and the model (`--model`, or a randomly initialised one).
        func run<Result>(
            scratchName: String, _ body: (_ path: String, _ model: RankingBenchmarkModel) throws -> Result
        ) throws -> Result {
            let path = database ?? FileManager.default.temporaryDirectory
                .appendingPathComponent("newsrec-\(scratchName)-\(UUID().uuidString).sqlite").path
            defer { if database == nil { NewsStore.removeFiles(at: path) } }
            let source = model.map { RankingBenchmarkModel.checkpoint(URL(fileURLWithPath: $0)) }
                ?? .randomlyInitialised(seed: 1)
            return try body(path, source)
        }
    }
}
