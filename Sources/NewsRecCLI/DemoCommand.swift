import Foundation
import MIND
import Metrics
import NewsModel
import Benchmarks
import Ranking
import Store
import SyntheticMIND
import Training

/// `newsrec demo`: synthetic data → store → short training run → dev metrics beside the ceiling → test predictions.
struct DemoCommand: Command {
    static let configuration = CommandConfiguration(
        name: "demo",
        abstract: "End to end on synthetic data: synth, ingest, train briefly, evaluate, predict.",
        discussion: """
            Runs the whole pipeline in one process, in the --out directory:
              1. generates a small synthetic MIND dataset (2000 users, 3000 news, 6000 impressions) into DIR/data,
              2. ingests its train, dev and test splits into DIR/newsrec.sqlite,
              3. trains an NRMS model (default sizes: hidden 256, 16 heads; word vectors from the synthetic
                 glove.txt) for 5 epochs of the train split into DIR/run (checkpoints, train-log.jsonl,
                 report.html),
              4. evaluates on dev and prints the metrics beside the ceiling (ranking by the true click
                 probabilities), popularity and random rankings,
              5. writes DIR/prediction.txt for the test split and scores it against the hidden test labels,
              6. caches every news vector in the store and ranks the last day's news for a dev user from it.
            Sized to finish in about a minute on 2 cores (release build); --quick trains 60 steps only.

            Re-running starts over: DIR is recreated (only a directory that an earlier demo made, or an empty
            one).
            """,
        examples: ["newsrec demo --out /tmp/demo --quick"])

    static let marker = ".newsrec-demo"

    static let output = OutputOptions.directory.withDefault("newsrec-demo", help: "working directory")
    static let quick = Option.flag("--quick", help: "a much shorter training run (60 steps)")
    static let seed = SeedOptions.seed.withDefault(1, help: "seed of the data and of training")

    static var options: [any OptionDeclaration] {
        [output, NRMSOptions.encoder, quick, ThreadOptions.threads, seed]
    }

    var directory: URL
    var encoder: NRMSConfiguration.Encoder
    var quick: Bool
    var threads: Int
    var seed: UInt64

    init(options: ParsedOptions) {
        directory = URL(fileURLWithPath: options[Self.output])
        encoder = options[NRMSOptions.encoder]
        quick = options[Self.quick]
        threads = options[ThreadOptions.threads]
        seed = options[Self.seed]
    }

    func run(context: CommandContext) throws {
        let started = Date()
        try Self.prepare(directory)
        let data = directory.appendingPathComponent("data")
        let database = directory.appendingPathComponent("newsrec.sqlite")
        let report = try SyntheticStore.generate(SyntheticMINDConfiguration(seed: seed), into: data, store: database,
                                                 threads: threads, log: context.log)

        let store = try NewsStore(path: database.path, create: false)
        let corpus = try TrainingCorpus.load(from: store, splits: [.train, .dev], log: context.log)
        let vectors = try WordVectors(contentsOf: data.appendingPathComponent("glove.txt"),
                                      keeping: Set(corpus.vocabulary.tokens.dropFirst(2)))
        var training = TrainingOptions(epochs: 5, batchSize: 64, learningRate: 1e-3, negatives: 4, seed: seed)
        if quick { training.maxSteps = 60 }
        context.log("demo: training (\(quick ? "60 steps" : "5 epochs"), learning rate 1e-3)")
        let run = directory.appendingPathComponent("run")
        let outcome = try TrainingSession.run(
            corpus: corpus, model: ModelOptions(encoder: encoder), training: training, wordVectors: vectors,
            parallelism: ParallelMode.data.parallelism(threads: threads), directory: run, resume: false,
            context: context)

        let dev = try EvaluateCommand.evaluate(store: store, model: run, split: .dev, predictions: nil, scores: nil,
                                               threads: threads, context: context)
        let predictions = directory.appendingPathComponent("prediction.txt")
        _ = try EvaluateCommand.evaluate(store: store, model: run, split: .test, predictions: predictions,
                                         scores: nil, threads: threads, context: context)
        // The hidden test labels are scored the leaderboard's way; a failure here is reported, not fatal, since
        // prediction.txt is already written.
        let test: Result<MetricsSummary, any Error> = Result {
            try LeaderboardScorer.score(prediction: predictions,
                                        truth: data.appendingPathComponent("leaderboard/ref/truth.txt"))
        }

        // Serving: cache every news vector in the store, then rank the news of the last 24 hours of the data
        // for the user of the first dev impression from the cached vectors (as `newsrec embed` / `rank` do).
        let ranker = try Ranker(storePath: database.path, checkpoint: URL(fileURLWithPath: dev.checkpoint),
                                threads: threads)
        let embedded = try ranker.embedMissingNews()
        let user = try store.read { try $0.impression(split: .dev, id: 1)?.user }
        let candidates = try ranker.freshCandidates(definedOnly: true)
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
                throw UsageError("\(directory.path) exists and was not made by newsrec demo; choose another --out")
            }
            for item in items { try manager.removeItem(at: directory.appendingPathComponent(item)) }
        }
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("made by newsrec demo; cleared when the demo runs again\n".utf8)
            .write(to: directory.appendingPathComponent(marker))
    }
}
