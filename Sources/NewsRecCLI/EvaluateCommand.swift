import Foundation
import MIND
import NewsModel
import Metrics
import Store
import Training

/// `newsrec evaluate`: scores a split with a trained model; leaderboard metrics and prediction files.
struct EvaluateCommand: Command {
    static let configuration = CommandConfiguration(
        name: "evaluate",
        abstract: "Score a split with a trained model: AUC/MRR/nDCG, prediction.txt, scores.",
        discussion: """
            Encodes every news the split uses once and each impression's user once (batched, all cores), scores
            every candidate (user · news), and prints AUC, MRR, nDCG@5 and nDCG@10 averaged over impressions
            exactly as MIND's evaluate.py, with the number of impressions and of those skipped because all their
            candidates share one label. On an unlabelled split (test) no metrics are printed; only the files are
            written.

            The split is streamed from the store in parts of 8192 impressions, and the files are written as the
            parts are scored (under a temporary name, renamed when complete): memory holds the model, the news
            vectors and one part, whatever the number of impressions.

            Titles are encoded with the checkpoint's vocabulary (vocab.txt), so a model evaluates the same way
            whatever was ingested after it was trained.
            """,
        examples: ["newsrec evaluate --db mind.sqlite --model runs/fastformer --split test "
                   + "--predictions prediction.txt"])

    static let split = StoreOptions.split.withDefault(.dev, help: "the split to score")
    static let predictions = Option.optional(
        "--predictions", .path("FILE"),
        help: "write the leaderboard file: one line `ImpressionID [r1,r2,...]` per impression, ranks in candidate "
            + "order, 1 = best (ties: earlier candidate first), no spaces")
    static let scores = Option.optional(
        "--scores", .path("FILE"), help: "write `ImpressionID<TAB>NewsID<TAB>score` for every candidate")

    static var options: [any OptionDeclaration] {
        [StoreOptions.database, NRMSOptions.model, split, predictions, scores, ThreadOptions.threads,
         OutputOptions.json]
    }

    var databasePath: String
    var modelPath: String
    var split: Split
    var predictions: String?
    var scores: String?
    var threads: Int
    var json: Bool

    init(options: ParsedOptions) {
        databasePath = options[StoreOptions.database]
        modelPath = options[NRMSOptions.model]
        split = options[Self.split]
        predictions = options[Self.predictions]
        scores = options[Self.scores]
        threads = options[ThreadOptions.threads]
        json = options[OutputOptions.json]
    }

    /// What `evaluate` found.
    struct Result: Encodable {
        var split: String
        var checkpoint: String
        var impressions: Int
        var candidates: Int
        var metrics: MetricsSummary?
        var seconds: Double
        var newsPerSecond: Double
        var impressionsPerSecond: Double
    }

    func run(context: CommandContext) throws {
        let result = try Self.evaluate(
            store: try NewsStore(path: databasePath, create: false), model: URL(fileURLWithPath: modelPath),
            split: split, predictions: predictions.map { URL(fileURLWithPath: $0) },
            scores: scores.map { URL(fileURLWithPath: $0) }, threads: threads, context: context)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            context.print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        context.print("\(result.split): \(result.impressions) impressions, \(result.candidates) candidates "
            + String(format: "(%.1f s; %.0f news/s, %.0f impressions/s)", result.seconds, result.newsPerSecond,
                     result.impressionsPerSecond))
        if let metrics = result.metrics {
            context.print(metrics.formatted)
        } else {
            context.print("unlabelled split: no metrics")
        }
        if let predictions { context.print("predictions: \(predictions)") }
        if let scores { context.print("scores: \(scores)") }
    }

    /// Scores `split` of `store` with the model at `model` (streamed: memory does not grow with the split), writes
    /// the requested files, and returns the metrics.
    static func evaluate(store: NewsStore, model url: URL, split: Split, predictions: URL?, scores: URL?,
                         threads: Int, context: CommandContext) throws -> Result {
        let parallelism = Parallelism.dataParallel(threads)
        let (model, checkpoint) = try NRMSTraining.loadModel(from: url, parallelism: parallelism)
        let start = Date()
        let report = try Evaluator(model: model, parallelism: parallelism).evaluate(
            split: split, of: store, vocabulary: model.vocabulary, titleLength: model.configuration.titleLength,
            predictions: predictions, scores: scores, log: context.log)
        context.log(String(format: "encoded %d news in %.2f s, scored %d impressions in %.2f s", report.encodedNews,
                           report.newsSeconds, report.impressions, report.scoringSeconds))
        return Result(split: split.rawValue, checkpoint: checkpoint.path, impressions: report.impressions,
                      candidates: report.candidates, metrics: report.metrics,
                      seconds: Date().timeIntervalSince(start),
                      newsPerSecond: Double(report.encodedNews) / max(report.newsSeconds, 1e-9),
                      impressionsPerSecond: Double(report.impressions) / max(report.scoringSeconds, 1e-9))
    }
}
