import Distributed
import Foundation
import MIND
import NewsModel
import Store
import Training

/// `newsrec train`: trains an NRMS model (Fastformer or MHSA encoders) on the store's train split.
struct TrainCommand: Command {
    static let configuration = CommandConfiguration(
        name: "train",
        abstract: "Train an NRMS/Fastformer model on the store's train split (checkpoints, log, report).",
        discussion: """
            Trains on every ingested train impression: one sample per clicked news, its negatives drawn without
            replacement from the same impression's non-clicked news (with replacement when there are fewer; from
            random news of the split when there are none), samples shuffled each epoch. Users are the last 50
            clicks of the impression's history; titles are cut to 30 tokens; the vocabulary covers the titles of
            every ingested news (all splits). Loss: softmax cross-entropy over [clicked, negatives]; Adam;
            dropout 0.2.

            After each epoch the model is evaluated on the dev split (when the store has a labelled one) and a
            checkpoint is written atomically into the --out directory (weights, optimizer state, epoch/step/seed),
            and also every --checkpoint-minutes within an epoch; a killed run never damages the last good
            checkpoint, and --resume continues from it exactly (mid-epoch too) with the same options. The
            directory also gets train-log.jsonl (one JSON object per step and per epoch) and report.html (loss
            curve and per-epoch metrics, self-contained).

            Each step's batch is cut into --shards shards whose gradients are combined in a fixed tree, so the
            trained model is the same, bit for bit, for any number of threads and processes. On several machines,
            start it with Open MPI's mpirun (same options; every process needs the store and the word vectors,
            rank 0 writes the run directory): see docs/DISTRIBUTED.md. Progress (step, samples/s, loss, ETA) goes
            to standard error.
            """,
        examples: ["newsrec train --db mind.sqlite --out runs/fastformer --word-vectors glove.840B.300d.txt",
                   "mpirun -np 4 --hostfile hosts newsrec train --db mind.sqlite --out runs/fastformer --threads 2"])

    private static let modelDefaults = ModelOptions()
    private static let trainingDefaults = TrainingOptions()
    static let output = OutputOptions.directory.required(
        help: "run directory for checkpoints, log and report")
    static let epochs = Option(
        "--epochs", .integer, default: trainingDefaults.epochs, rule: .atLeast(1), help: "epochs")
    static let batchSize = Option(
        "--batch-size", .integer, default: trainingDefaults.batchSize, rule: .atLeast(1),
        help: "samples per optimizer step")
    static let learningRate = Option(
        "--lr", .number, default: trainingDefaults.learningRate, rule: .positive, help: "Adam learning rate")
    static let negatives = Option(
        "--negatives", .integer, default: trainingDefaults.negatives, rule: .atLeast(1),
        help: "negatives per clicked news")
    static let wordVectors = Option.optional(
        "--word-vectors", .path("FILE"),
        help: "GloVe text vectors to initialise word embeddings (their dimension is used; default: random "
            + "300-dimensional embeddings)")
    static let hiddenSize = Option(
        "--hidden", .integer, default: modelDefaults.hiddenSize, rule: .atLeast(1), help: "hidden size")
    static let headCount = Option(
        "--heads", .integer, default: modelDefaults.headCount, rule: .atLeast(1), help: "attention heads")
    static let seed = SeedOptions.seed.withDefault(
        trainingDefaults.seed, help: "seed of initialisation, sampling, shuffling and dropout")
    static let maxSteps = Option.optional(
        "--max-steps", .integer, rule: .atLeast(1),
        help: "stop after N optimizer steps in total (with a checkpoint), for quick runs")
    static let checkpointMinutes = Option(
        "--checkpoint-minutes", .number, default: 10.0, rule: .atLeast(0),
        help: "also checkpoint mid-epoch every X minutes (0 = after epochs only)")
    static let shards = Option(
        "--shards", .integer, default: trainingDefaults.shards, rule: .atLeast(1),
        help: "pieces each batch is cut into, at least the number of processes; gradients combine in a fixed tree "
            + "over them, so the result does not depend on threads or processes (each piece encodes its own news: "
            + "fewer pieces, less work)")
    static let resume = Option.flag(
        "--resume", help: "continue from the latest checkpoint in the run directory (required when it has one)")

    static var options: [any OptionDeclaration] {
        [StoreOptions.database, output, NRMSOptions.encoder, epochs, batchSize, learningRate, negatives,
         wordVectors, hiddenSize, headCount, seed, ThreadOptions.threads, ThreadOptions.parallel, shards, maxSteps,
         checkpointMinutes, resume]
    }

    var databasePath: String
    var output: String
    var model = ModelOptions()
    var training = TrainingOptions()
    var wordVectors: String?
    var threads: Int
    var parallelMode: ParallelMode
    var resume: Bool
    var checkpointMinutes: Double

    init(options: ParsedOptions) {
        databasePath = options[StoreOptions.database]
        output = options[Self.output]
        model.encoder = options[NRMSOptions.encoder]
        model.hiddenSize = options[Self.hiddenSize]
        model.headCount = options[Self.headCount]
        training.epochs = options[Self.epochs]
        training.batchSize = options[Self.batchSize]
        training.learningRate = options[Self.learningRate]
        training.negatives = options[Self.negatives]
        training.seed = options[Self.seed]
        training.maxSteps = options[Self.maxSteps]
        training.shards = options[Self.shards]
        wordVectors = options[Self.wordVectors]
        let givenThreads = options[ThreadOptions.threads]
        threads = options.isGiven(ThreadOptions.threads) ? givenThreads : ThreadOptions.localShare
        parallelMode = options[ThreadOptions.parallel]
        resume = options[Self.resume]
        checkpointMinutes = options[Self.checkpointMinutes]
    }

    func run(context: CommandContext) throws {
        // Under mpirun every rank runs this; rank 0 alone prints, logs and writes the run directory.
        let group = try ProcessGroup.world()
        let context = group.rank == 0 ? context : CommandContext(out: { _ in }, err: { _ in })
        do {
            try train(group: group, context: context)
            try group.finalize()
        } catch {
            if group.size > 1 { group.abort("newsrec train (rank \(group.rank)): \(error)") }
            throw error
        }
    }

    private func train(group: ProcessGroup, context: CommandContext) throws {
        guard training.shards >= group.size else {
            throw UsageError.invalidValue(option: Self.shards.name, value: "\(training.shards)",
                                          requirement: "at least the number of processes (\(group.size)), "
                                            + "which take whole shards (a multiple of it balances the work)")
        }
        let localShards = try ShardPlan(shardCount: training.shards, rankCount: group.size)
            .shards(ofRank: group.rank).count
        let parallelism = parallelMode.parallelism(threads: threads, shards: localShards)
        let store = try NewsStore(path: databasePath, create: false)
        let started = Date()
        let corpus = try TrainingCorpus.load(from: store, splits: [.train, .dev], log: context.log)
        context.log("loaded \(corpus.news.count) news, vocabulary \(corpus.vocabulary.count), "
            + corpus.splits.sorted { $0.key.rawValue > $1.key.rawValue }
                .map { "\($0.key.rawValue) \($0.value.count) impressions" }.joined(separator: ", ")
            + String(format: " (%.1f s)", Date().timeIntervalSince(started)))
        let vectors = try wordVectors.map { path -> WordVectors in
            context.log("reading word vectors \(path) (keeping the vocabulary's words)")
            let vectors = try WordVectors(contentsOf: URL(fileURLWithPath: path),
                                          keeping: Set(corpus.vocabulary.tokens.dropFirst(2)))
            if let coverage = vectors.coverage { context.log("word vectors: \(coverage)") }
            return vectors
        }
        let outcome = try TrainingSession.run(corpus: corpus, model: model, training: training, wordVectors: vectors,
                                              parallelism: parallelism, directory: URL(fileURLWithPath: output),
                                              resume: resume, checkpointMinutes: checkpointMinutes, group: group,
                                              context: context)
        context.print("trained \(outcome.stepsRun) steps in \(String(format: "%.1f", outcome.seconds)) s; "
            + "\(outcome.state.completedEpochs) epoch(s) done, step \(outcome.state.step)")
        if let last = outcome.devMetrics.last { context.print("dev: \(last.formatted)") }
        context.print("checkpoint: \(outcome.checkpoint.path)")
    }
}
