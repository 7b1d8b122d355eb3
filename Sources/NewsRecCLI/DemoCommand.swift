import Foundation
import MIND
import Metrics
import NewsModel
import Ranking
import Store
import SyntheticMIND
import Training

/// `newsrec demo`: synthetic data → store → short training run → dev metrics beside the ceiling → test predictions.
struct DemoCommand: Command {
    static let name = "demo"
    static let abstract = "End to end on synthetic data: synth, ingest, train briefly, evaluate, predict."
    static let help = """
        Usage: newsrec demo [--dir DIR] [--encoder fastformer|mhsa] [--quick] [--threads N] [--seed S]

        Runs the whole pipeline in one process, in DIR (default ./newsrec-demo):
          1. generates a small synthetic MIND dataset (2000 users, 3000 news, 6000 impressions) into DIR/data,
          2. ingests its train, dev and test splits into DIR/newsrec.sqlite,
          3. trains an NRMS model (default sizes: hidden 256, 16 heads; word vectors from the synthetic
             glove.txt) for 5 epochs of the train split into DIR/run (checkpoints, train-log.jsonl, report.html),
          4. evaluates on dev and prints the metrics beside the ceiling (ranking by the true click
             probabilities), popularity and random rankings,
          5. writes DIR/prediction.txt for the test split and scores it against the hidden test labels,
          6. caches every news vector in the store and ranks the last day's news for a dev user from it.
        Sized to finish in a few minutes on 2 cores (release build); --quick trains 60 steps only.

        Re-running starts over: DIR is recreated (only a directory that an earlier demo made, or an empty one).

        Options:
          --dir DIR          working directory (default newsrec-demo)
          --encoder NAME     fastformer (default) or mhsa
          --quick            a much shorter training run (about a minute)
          --threads N        threads (default: all cores)
          --seed S           seed of the data and of training (default 1)

        Example:
          newsrec demo --dir /tmp/demo --quick
        """

    static let marker = ".newsrec-demo"

    var directory: URL
    var encoder: NRMSConfiguration.Encoder
    var quick: Bool
    var threads: Int
    var seed: UInt64

    init(arguments: inout ArgumentScanner) throws {
        directory = URL(fileURLWithPath: try arguments.option("--dir") ?? "newsrec-demo")
        encoder = try TrainCommand.encoder(try arguments.option("--encoder"))
        quick = arguments.flag("--quick")
        threads = try arguments.option("--threads", as: Int.self) ?? Parallelism.coreCount
        seed = try arguments.option("--seed", as: UInt64.self) ?? 1
        guard threads >= 1 else { throw UsageError("--threads must be ≥ 1") }
    }

    func run(context: CommandContext) throws {
        let started = Date()
        try Self.prepare(directory)
        let data = directory.appendingPathComponent("data")
        let database = directory.appendingPathComponent("newsrec.sqlite")
        let report = try SyntheticData.generate(SyntheticMINDConfiguration(seed: seed), into: data, store: database,
                                                threads: threads, context: context)

        let store = try NewsStore(path: database.path, create: false)
        let corpus = try StoreCorpus.load(store: store, splits: [.train, .dev, .test], context: context)
        let vectors = try WordVectors(contentsOf: data.appendingPathComponent("glove.txt"))
        var training = TrainingOptions(epochs: 5, batchSize: 64, learningRate: 1e-3, negatives: 4, seed: seed)
        if quick { training.maxSteps = 60 }
        context.log("demo: training (\(quick ? "60 steps" : "5 epochs"), learning rate 1e-3)")
        let run = directory.appendingPathComponent("run")
        let outcome = try TrainingSession.run(
            corpus: corpus, model: ModelOptions(encoder: encoder), training: training, wordVectors: vectors,
            parallelism: try TrainCommand.parallelism(threads: threads, mode: nil), directory: run, resume: false,
            context: context)

        let parallelism = Parallelism.dataParallel(threads)
        let (model, _, checkpoint) = try NRMSTraining.loadModel(from: run, parallelism: parallelism)
        let dev = try EvaluateCommand.evaluate(
            model: model, corpus: corpus, table: corpus.splits[.dev]!, split: .dev, checkpoint: checkpoint,
            predictions: nil, scores: nil, parallelism: parallelism, context: context)
        let predictions = directory.appendingPathComponent("prediction.txt")
        _ = try EvaluateCommand.evaluate(
            model: model, corpus: corpus, table: corpus.splits[.test]!, split: .test, checkpoint: checkpoint,
            predictions: predictions, scores: nil, parallelism: parallelism, context: context)
        // The hidden test labels are scored the leaderboard's way; a failure here is reported, not fatal, since
        // prediction.txt is already written.
        let test: Result<MetricsSummary, any Error> = Result {
            try LeaderboardScorer.score(prediction: predictions,
                                        truth: data.appendingPathComponent("leaderboard/ref/truth.txt"))
        }

        // Serving: cache every news vector in the store, then rank the news of the last 24 hours of the data
        // for the user of the first dev impression from the cached vectors (as `newsrec embed` / `rank` do).
        let ranker = try Ranker(storePath: database.path, checkpoint: checkpoint, threads: threads)
        let embedded = try ranker.embedMissingNews()
        let user = try store.read { try $0.impression(split: .dev, id: 1)?.user }
        let candidates = try ranker.freshCandidates()
        let ranked = try user.map { try ranker.ranking(user: $0, candidates: candidates, top: 5) }

        context.print("newsrec demo (\(encoder.rawValue), \(outcome.state.step) steps, "
            + String(format: "%.0f s in all)", Date().timeIntervalSince(started)))
        context.print("Dev (\(dev.impressions) impressions):")
        context.print("  trained model           \(dev.metrics!.formatted)")
        context.print("  ceiling (true clicks)   \(report.devMetrics.oracle.formatted)")
        context.print("  popularity              \(report.devMetrics.popularity.formatted)")
        context.print("  random ranking          \(report.devMetrics.random.formatted)")
        context.print("Test (hidden labels, scored from \(predictions.lastPathComponent)):")
        switch test {
        case .success(let metrics): context.print("  trained model           \(metrics.formatted)")
        case .failure(let error): context.print("  trained model           not scored: \(error)")
        }
        context.print("  ceiling (true clicks)   \(report.testMetrics.oracle.formatted)")
        if let user, let ranked {
            context.print("Ranking from the store (\(embedded) news vectors cached): top 5 of \(candidates.count) "
                + "fresh news for \(user):")
            let width = ranked.items.map(\.news.rawValue.count).max() ?? 0
            for (index, item) in ranked.items.enumerated() {
                let title = try ranker.article(item.news)?.title ?? ""
                let news = item.news.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                context.print("  \(index + 1). \(news) " + String(format: "%8.4f", item.score) + "  \(title)")
            }
        }
        context.print("Files: \(run.path)/report.html, \(predictions.path)")
        context.print("Next: newsrec rank --db \(database.path) --model \(run.path) --user <UserID>")
    }

    /// Makes `directory` an empty demo directory: creates it, or clears one that an earlier demo made.
    static func prepare(_ directory: URL) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.path) {
            let items = try manager.contentsOfDirectory(atPath: directory.path)
            guard items.isEmpty || items.contains(marker) else {
                throw UsageError("\(directory.path) exists and was not made by newsrec demo; choose another --dir")
            }
            for item in items { try manager.removeItem(at: directory.appendingPathComponent(item)) }
        }
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("made by newsrec demo; cleared when the demo runs again\n".utf8)
            .write(to: directory.appendingPathComponent(marker))
    }
}

/// Generates a synthetic dataset and ingests its three splits into a store (used by `demo` and `bench`).
enum SyntheticData {
    @discardableResult
    static func generate(_ configuration: SyntheticMINDConfiguration, into data: URL, store database: URL,
                         threads: Int, context: CommandContext) throws -> SyntheticMINDReport {
        var started = Date()
        context.log("synth: \(configuration.users) users, \(configuration.news) news, "
            + "\(configuration.impressions) impressions → \(data.path)")
        let generator = try SyntheticMINDGenerator(configuration: configuration, threads: threads)
        let report = try generator.write(to: data)
        context.log(String(format: "synth: done in %.1f s", Date().timeIntervalSince(started)))
        started = Date()
        let store = try NewsStore(path: database.path)
        for split in Split.allCases {
            let folder = data.appendingPathComponent(split.rawValue)
            try store.ingest(split: split, newsFile: folder.appendingPathComponent("news.tsv"),
                             behaviorsFile: folder.appendingPathComponent("behaviors.tsv"))
        }
        context.log(String(format: "ingest: train, dev, test into %@ in %.1f s", database.path,
                           Date().timeIntervalSince(started)))
        return report
    }
}
