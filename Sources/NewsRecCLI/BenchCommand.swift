import Foundation
import MIND
import NewsModel
import Store
import SyntheticMIND
import TensorMath
import Training

/// `newsrec bench`: training and inference throughput at default model sizes, with the machine's facts.
struct BenchCommand: Command {
    static let name = "bench"
    static let abstract = "Measure training samples/s, news encoded/s and impressions scored/s."
    static let help = """
        Usage: newsrec bench [--db FILE] [--sizes small|mind-small] [--encoder fastformer|mhsa]
                             [--steps 30] [--threads N] [--parallel data|blas|both] [--json]
               newsrec bench --micro [micro-benchmark options, below]
               newsrec bench --rank [ranking benchmark options, below]
               newsrec bench --parse [MIND reader benchmark options, below]

        End to end (default): for each encoder at the default model sizes (hidden 256, 16 heads, word dim 300,
        titles 30, history 50, 4 negatives, batch 64), on a store:
          - training samples/s: forward + backward + Adam steps over shuffled training batches (the first
            3 steps are warm-up and not counted), for data-parallel workers and for multi-threaded BLAS;
          - news encoded/s: every news of the store through the news encoder (inference);
          - impressions scored/s: user encoding plus candidate scoring over the dev split.
        Prints the machine (cores, CPU model, OpenBLAS kernels) with the figures.

        Without --db, a synthetic dataset is generated into a temporary directory (removed afterwards):
          small       2000 users, 3000 news, 6000 impressions (default)
          mind-small  50000 users, 65000 news, 230000 impressions (the sizes of MIND-small)

        Options:
          --db FILE          use this store (train and dev splits) instead of synthetic data
          --sizes NAME       small (default) or mind-small, for the synthetic data
          --encoder NAME     fastformer or mhsa (default: both)
          --steps N          timed training steps per configuration (default 30)
          --threads N        threads (default: all cores)
          --parallel MODE    data, blas or both (default both)
          --json             print the results as one JSON object

        --micro: model micro-benchmarks on synthetic batches, comparable with Tools/reference/bench_model.py:
        per encoder, one training batch of 64 samples × (50 history + 5 candidates) = 3520 titles of 30 tokens
        (5…15 real), news and user encoder forward (evaluation) and forward+backward (training, dropout on), a
        whole training step (loss, backward, Adam), and one attention layer's forward+backward time over
        sequence lengths 32…4096 (batch × length fixed). Reports medians. Options:
          --threads N             OpenBLAS threads and model worker threads (default 2)
          --reps N                timed repetitions (default 5); --warmup N untimed runs first (default 1)
          --encoders LIST         fastformer,mhsa (default both)
          --only model|scaling    run one part only
          --tokens N              batch × length in the scaling table (default 16384)
          --max-attention-mib X   skip MHSA scaling points whose attention weights exceed X MiB (default 512)
          --json                  print the report as one JSON object

        Examples:
          newsrec bench --json > bench.json
          newsrec bench --micro --threads 2 --reps 5
        """ + "\n\n" + RankBenchCommand.help + "\n\n" + ParseBenchCommand.help

    var databasePath: String?
    var sizes = "small"
    var encoders = NRMSConfiguration.Encoder.allCases
    var steps = 30
    var threads = Parallelism.coreCount
    var modes = ["data", "blas"]
    var json: Bool
    /// Options of the model micro-benchmarks (`--micro`), nil for the end-to-end benchmark.
    var micro: ModelBenchmark.Options?
    /// `newsrec bench --rank`: the ranking benchmark instead (its own options).
    var rank: RankBenchCommand?
    /// `newsrec bench --parse`: the MIND reader benchmark instead (its own options).
    var parse: ParseBenchCommand?

    init(arguments: inout ArgumentScanner) throws {
        if arguments.flag("--parse") {
            parse = try ParseBenchCommand(arguments: &arguments)
            json = false
            return
        }
        if arguments.flag("--rank") {
            rank = try RankBenchCommand(arguments: &arguments)
            json = false
            return
        }
        json = arguments.flag("--json")
        if arguments.flag("--micro") {
            micro = try Self.microOptions(&arguments)
            return
        }
        databasePath = try arguments.option("--db")
        sizes = try arguments.option("--sizes") ?? "small"
        guard ["small", "mind-small"].contains(sizes) else {
            throw UsageError("--sizes must be small or mind-small, got '\(sizes)'")
        }
        let encoder = try arguments.option("--encoder")
        encoders = encoder == nil ? NRMSConfiguration.Encoder.allCases : [try TrainCommand.encoder(encoder)]
        steps = try arguments.option("--steps", as: Int.self) ?? 30
        threads = try arguments.option("--threads", as: Int.self) ?? Parallelism.coreCount
        let mode = try arguments.option("--parallel") ?? "both"
        guard ["data", "blas", "both"].contains(mode) else {
            throw UsageError("--parallel must be data, blas or both, got '\(mode)'")
        }
        modes = mode == "both" ? ["data", "blas"] : [mode]
        guard steps >= 1, threads >= 1 else { throw UsageError("--steps and --threads must be ≥ 1") }
    }

    struct Machine: Encodable {
        var cores: Int
        var cpu: String
        var memoryGiB: Double
        var blasKernels: String
    }

    struct TrainingFigure: Encodable {
        var encoder: String
        var parallel: String
        var workers: Int
        var blasThreads: Int
        var steps: Int
        var samplesPerSecond: Double
        var secondsPerStep: Double
    }

    struct InferenceFigure: Encodable {
        var encoder: String
        var news: Int
        var newsPerSecond: Double
        var impressions: Int
        var impressionsPerSecond: Double
    }

    struct Result: Encodable {
        var machine: Machine
        var dataset: String
        var trainSamples: Int
        var vocabulary: Int
        var training: [TrainingFigure]
        var inference: [InferenceFigure]
    }

    /// Parses the options of `--micro`.
    static func microOptions(_ arguments: inout ArgumentScanner) throws -> ModelBenchmark.Options {
        var options = ModelBenchmark.Options()
        if let threads = try arguments.option("--threads", as: Int.self) {
            guard threads >= 1 else { throw UsageError("--threads must be at least 1") }
            options.threads = threads
        }
        if let reps = try arguments.option("--reps", as: Int.self) {
            guard reps >= 1 else { throw UsageError("--reps must be at least 1") }
            options.repetitions = reps
        }
        if let warmup = try arguments.option("--warmup", as: Int.self) { options.warmup = max(0, warmup) }
        if let list = try arguments.option("--encoders") {
            options.encoders = try list.split(separator: ",").map {
                guard let encoder = NRMSConfiguration.Encoder(rawValue: String($0)) else {
                    throw UsageError("--encoders expects fastformer and/or mhsa, got '\($0)'")
                }
                return encoder
            }
        }
        switch try arguments.option("--only") {
        case nil: break
        case "model": options.scaling = false
        case "scaling": options.model = false
        case let other?: throw UsageError("--only expects model or scaling, got '\(other)'")
        }
        if let tokens = try arguments.option("--tokens", as: Int.self) { options.scalingTokens = max(32, tokens) }
        if let limit = try arguments.option("--max-attention-mib", as: Double.self) { options.maxAttentionMiB = limit }
        return options
    }

    func run(context: CommandContext) throws {
        if let rank { return try rank.run(context: context) }
        if let parse { return try parse.run(context: context) }
        if let micro {
            context.log("bench: \(micro.threads) threads, OpenBLAS kernels \(BLAS.kernelName)")
            let report = try ModelBenchmark.run(micro) { context.log($0) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                context.print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                context.print(ModelBenchmark.format(report))
            }
            return
        }
        let manager = FileManager.default
        var temporary: URL?
        defer { if let temporary { try? manager.removeItem(at: temporary) } }
        let database: URL
        if let databasePath {
            database = URL(fileURLWithPath: databasePath)
        } else {
            let folder = manager.temporaryDirectory.appendingPathComponent("newsrec-bench-\(getpid())")
            try? manager.removeItem(at: folder)
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            temporary = folder
            database = folder.appendingPathComponent("bench.sqlite")
            let configuration = sizes == "small" ? SyntheticMINDConfiguration()
                : SyntheticMINDConfiguration(users: 50_000, news: 65_000, impressions: 230_000)
            try SyntheticData.generate(configuration, into: folder.appendingPathComponent("data"), store: database,
                                       threads: threads, context: context)
        }
        let store = try NewsStore(path: database.path, create: false)
        let corpus = try TrainingCorpus.load(from: store, splits: [.train, .dev], log: context.log)
        guard let dev = corpus.splits[.dev] ?? corpus.splits[.train] else {
            throw TrainingDataError(source: database.path, expected: "a train split")
        }
        let trainSamples = try SampleSet(impressions: corpus.splits[.train]!, negatives: 4, seed: 1, epoch: 0).count
        let machine = Self.machine()
        context.log("machine: \(machine.cores) cores, \(machine.cpu)")

        var trainingFigures: [TrainingFigure] = []
        var inferenceFigures: [InferenceFigure] = []
        for encoder in encoders {
            for mode in modes {
                let parallelism = mode == "data" ? Parallelism.dataParallel(threads) : .blas(threads)
                let figure = try measureTraining(corpus: corpus, encoder: encoder, parallelism: parallelism,
                                                 mode: mode, context: context)
                context.log(String(format: "%@ %@ (%d×%d): %.1f training samples/s", encoder.rawValue, mode,
                                   parallelism.workers, parallelism.blasThreads, figure.samplesPerSecond))
                trainingFigures.append(figure)
            }
            let figure = try measureInference(corpus: corpus, table: dev, encoder: encoder)
            context.log(String(format: "%@: %.0f news/s, %.0f impressions/s", encoder.rawValue, figure.newsPerSecond,
                               figure.impressionsPerSecond))
            inferenceFigures.append(figure)
        }
        let result = Result(machine: machine, dataset: databasePath ?? "synthetic \(sizes)",
                            trainSamples: trainSamples, vocabulary: corpus.vocabulary.count,
                            training: trainingFigures, inference: inferenceFigures)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            context.print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        context.print("machine: \(machine.cores) cores, \(machine.cpu), "
            + String(format: "%.0f GiB", machine.memoryGiB) + ", OpenBLAS kernels \(machine.blasKernels)")
        context.print("dataset: \(result.dataset): \(trainSamples) training samples/epoch, "
            + "vocabulary \(corpus.vocabulary.count), \(corpus.news.count) news, \(dev.count) scored impressions")
        context.print("training (hidden 256, 16 heads, word dim 300, batch 64, 4 negatives):")
        for figure in trainingFigures {
            context.print("  \(figure.encoder.padding(toLength: 11, withPad: " ", startingAt: 0))"
                + "\(figure.parallel) \(figure.workers)×\(figure.blasThreads)  "
                + String(format: "%8.1f samples/s  (%.1f ms/step over %d steps)", figure.samplesPerSecond,
                         figure.secondsPerStep * 1000, figure.steps))
        }
        context.print("inference:")
        for figure in inferenceFigures {
            context.print("  \(figure.encoder.padding(toLength: 11, withPad: " ", startingAt: 0))"
                + String(format: "%9.0f news encoded/s  %9.0f impressions scored/s", figure.newsPerSecond,
                         figure.impressionsPerSecond))
        }
    }

    /// Trains `steps` timed steps (after warm-up) into a scratch directory and returns the throughput.
    func measureTraining(corpus: TrainingCorpus, encoder: NRMSConfiguration.Encoder, parallelism: Parallelism,
                         mode: String, context: CommandContext) throws -> TrainingFigure {
        let warmup = 3
        let options = TrainingOptions(epochs: 1000, batchSize: 64, learningRate: 1e-4, negatives: 4, seed: 1,
                                      maxSteps: warmup + steps)
        let (model, _) = try NRMSTraining.makeModel(corpus: corpus, options: ModelOptions(encoder: encoder),
                                                    wordVectors: nil, training: options, parallelism: parallelism)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("newsrec-bench-run-\(getpid())-\(encoder.rawValue)-\(mode)")
        try? FileManager.default.removeItem(at: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = Trainer(model: model, corpus: corpus, options: options, parallelism: parallelism,
                              directory: directory)
        trainer.evaluatesDev = false
        var warmTime = 0.0, endTime = 0.0, warmStep = 0, endStep = 0
        trainer.onProgress = { progress in
            if progress.step == warmup {
                warmTime = progress.elapsed
                warmStep = progress.step
            }
            endTime = progress.elapsed
            endStep = progress.step
        }
        _ = try trainer.run(resume: false)
        let timedSteps = endStep - warmStep
        let seconds = endTime - warmTime
        return TrainingFigure(encoder: encoder.rawValue, parallel: mode, workers: parallelism.workers,
                              blasThreads: parallelism.blasThreads, steps: timedSteps,
                              samplesPerSecond: Double(timedSteps * options.batchSize) / seconds,
                              secondsPerStep: seconds / Double(timedSteps))
    }

    /// Encodes every news and scores `table` with a freshly initialised model of default sizes.
    func measureInference(corpus: TrainingCorpus, table: ImpressionTable,
                          encoder: NRMSConfiguration.Encoder) throws -> InferenceFigure {
        let parallelism = Parallelism.dataParallel(threads)
        let (model, _) = try NRMSTraining.makeModel(corpus: corpus, options: ModelOptions(encoder: encoder),
                                                    wordVectors: nil, training: TrainingOptions(),
                                                    parallelism: parallelism)
        let evaluator = Evaluator(model: model, parallelism: parallelism)
        var start = Date()
        let vectors = evaluator.encodeNews(corpus.news)
        let newsSeconds = Date().timeIntervalSince(start)
        start = Date()
        _ = evaluator.score(table, newsVectors: vectors)
        let scoreSeconds = Date().timeIntervalSince(start)
        return InferenceFigure(encoder: encoder.rawValue, news: corpus.news.count,
                               newsPerSecond: Double(corpus.news.count) / newsSeconds, impressions: table.count,
                               impressionsPerSecond: Double(table.count) / scoreSeconds)
    }

    /// Core count, CPU model (from /proc/cpuinfo) and memory.
    static func machine() -> Machine {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return Machine(cores: Parallelism.coreCount, cpu: model,
                       memoryGiB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824,
                       blasKernels: BLAS.kernelName)
    }
}
