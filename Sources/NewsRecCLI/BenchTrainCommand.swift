import Benchmarks
import Foundation
import NewsModel
import Store
import Training

/// `newsrec bench train`: training and inference throughput at default model sizes, with the machine's facts.
struct BenchTrainCommand: Command {
    static let configuration = CommandConfiguration(
        name: "train",
        abstract: "training samples/s, news encoded/s and impressions scored/s at the default model sizes",
        discussion: """
            For each encoder at the default model sizes (hidden 256, 16 heads, word dim 300, titles 30, history 50,
            4 negatives, batch 64), on a store:
              - training samples/s and GFLOP/s (3 × the encoders' forward FLOPs over the tokens the shard
                batches actually hold) beside the GFLOP/s of one --peak-size³ sgemm on the same threads,
                measured in the same run;
              - training samples/s: forward + backward + Adam steps over shuffled training batches (the first
                3 steps are warm-up and not counted), for each --parallel mode;
              - news encoded/s: every news of the store through the news encoder (inference);
              - impressions scored/s: user encoding plus candidate scoring over the dev split.
            Prints the machine (cores, CPU model, OpenBLAS kernels) with the figures.

            Without --db, a synthetic dataset is generated into a temporary directory (removed afterwards):
              small       2000 users, 3000 news, 6000 impressions
              mind-small  50000 users, 65000 news, 230000 impressions (the sizes of MIND-small)
            """,
        examples: ["newsrec bench train --json > bench.json",
                   "newsrec bench train --db mind.sqlite --encoder fastformer --parallel data --steps 40"])

    static let database = StoreOptions.database.optional(
        help: "use this store (its train and dev splits) instead of synthetic data")
    static let size = Option("--sizes", .choice, default: SyntheticSize.small, help: "the synthetic data's size")
    static let encoders = NRMSOptions.encoder.allowingSeveral(
        default: NRMSConfiguration.Encoder.allCases, help: "the encoders to measure")
    static let steps = Option(
        "--steps", .integer, default: 30, rule: .atLeast(1), help: "timed training steps per configuration")
    static let modes = ThreadOptions.parallel.allowingSeveral(
        default: ParallelMode.measured, help: "the parallel modes to train with")

    static let shardCounts = TrainCommand.shards.allowingSeveral(
        default: [TrainingOptions.defaultShards], help: "the shard counts to train with (each in every mode)")
    static let skipInference = Option.flag(
        "--skip-inference", help: "measure training only (no news encoding or impression scoring)")
    static let peakSize = Option(
        "--peak-size", .integer, default: 4096, rule: .atLeast(16),
        help: "side of the square sgemm whose GFLOP/s the training step is compared with")
    static var options: [any OptionDeclaration] {
        [database, size, encoders, steps, ThreadOptions.threads, modes, shardCounts, skipInference, peakSize,
         OutputOptions.json]
    }

    var databasePath: String?
    var size: SyntheticSize
    var benchmark = TrainingBenchmark.Options()
    var json: Bool

    init(options: ParsedOptions) {
        databasePath = options[Self.database]
        size = options[Self.size]
        benchmark.encoders = options[Self.encoders]
        benchmark.steps = options[Self.steps]
        benchmark.shardCounts = options[Self.shardCounts]
        benchmark.measuresInference = !options[Self.skipInference]
        benchmark.peakSize = options[Self.peakSize]
        let threads = options[ThreadOptions.threads]
        benchmark.threads = threads
        benchmark.modes = options[Self.modes].map { mode in
            TrainingBenchmark.Mode(name: mode.rawValue, parallelism: mode.parallelism(threads: threads))
        }
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        var synthetic: SyntheticStore.Temporary?
        if databasePath == nil {
            synthetic = try SyntheticStore.Temporary(size.configuration, threads: benchmark.threads, log: context.log)
        }
        defer { synthetic?.remove() }
        let database = databasePath ?? synthetic!.database.path
        let store = try NewsStore(path: database, create: false)
        let corpus = try TrainingCorpus.load(from: store, splits: [.train, .dev], log: context.log)
        let report = try TrainingBenchmark.run(corpus: corpus, dataset: databasePath ?? "synthetic \(size.rawValue)",
                                               options: benchmark, log: context.log)
        try context.print(report, json: json)
    }
}
