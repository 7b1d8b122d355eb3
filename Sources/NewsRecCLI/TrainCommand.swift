import Foundation
import MIND
import NewsModel
import Store
import Training

/// `newsrec train`: trains an NRMS model (Fastformer or MHSA encoders) on the store's train split.
struct TrainCommand: Command {
    static let name = "train"
    static let abstract = "Train an NRMS/Fastformer model on the store's train split (checkpoints, log, report)."
    static let help = """
        Usage: newsrec train --db FILE --out DIR [--encoder fastformer|mhsa] [--epochs 3] [--batch-size 64]
                             [--lr 1e-4] [--negatives 4] [--word-vectors glove.txt] [--seed 42] [--threads N]
                             [--parallel data|blas] [--hidden 256] [--heads 16] [--max-steps N] [--resume]

        Trains on every ingested train impression: one sample per clicked news, its negatives drawn without
        replacement from the same impression's non-clicked news (with replacement when there are fewer; from
        random news of the split when there are none), samples shuffled each epoch. Users are the last 50 clicks
        of the impression's history; titles are cut to 30 tokens; the vocabulary covers the titles of every
        ingested news (all splits). Loss: softmax cross-entropy over [clicked, negatives]; Adam; dropout 0.2.

        After each epoch the model is evaluated on the dev split (when the store has a labelled one) and a
        checkpoint is written atomically into DIR (weights, optimizer state, epoch/step/seed), and also every
        --checkpoint-minutes within an epoch; a killed run never damages the last good checkpoint, and
        --resume continues from it exactly (mid-epoch too) with the same options.
        DIR also gets train-log.jsonl (one JSON object per step and per epoch) and report.html (loss curve and
        per-epoch metrics, self-contained).

        Options:
          --db FILE             SQLite store with a train split (required)
          --out DIR             run directory for checkpoints, log and report (required)
          --encoder NAME        fastformer (default) or mhsa
          --epochs N            epochs (default 3)
          --batch-size N        samples per optimizer step (default 64)
          --lr X                Adam learning rate (default 1e-4)
          --negatives N         negatives per clicked news (default 4)
          --word-vectors FILE   GloVe text vectors to initialise word embeddings (their dimension is used;
                                default: random 300-dimensional embeddings)
          --hidden N            hidden size (default 256)
          --heads N             attention heads (default 16)
          --seed S              seed of initialisation, sampling, shuffling and dropout (default 42)
          --threads N           threads (default: all cores)
          --parallel MODE       data: each batch split across N workers with single-threaded BLAS, their
                                gradients summed into one Adam step (default: the faster at MIND-small sizes
                                on 2 cores, see BENCHMARKS.md); blas: one worker whose BLAS calls and
                                per-sequence loops use N threads
          --max-steps N         stop after N optimizer steps in total (with a checkpoint), for quick runs
          --checkpoint-minutes M  also checkpoint mid-epoch every M minutes (default 10; 0 = epochs only)
          --resume              continue from the latest checkpoint in DIR (required when DIR has one)

        Deterministic for a seed, thread count and parallel mode. Progress (step, samples/s, loss, ETA) goes to
        standard error.

        Example:
          newsrec train --db mind.sqlite --out runs/fastformer --word-vectors glove.840B.300d.txt
        """

    var databasePath: String
    var output: String
    var model = ModelOptions()
    var training = TrainingOptions()
    var wordVectors: String?
    var parallelism: Parallelism
    var resume: Bool
    var checkpointMinutes: Double

    init(arguments: inout ArgumentScanner) throws {
        databasePath = try arguments.required("--db")
        output = try arguments.required("--out")
        model.encoder = try Self.encoder(try arguments.option("--encoder"))
        if let value = try arguments.option("--hidden", as: Int.self) { model.hiddenSize = value }
        if let value = try arguments.option("--heads", as: Int.self) { model.headCount = value }
        if let value = try arguments.option("--epochs", as: Int.self) { training.epochs = value }
        if let value = try arguments.option("--batch-size", as: Int.self) { training.batchSize = value }
        if let value = try arguments.option("--lr", as: Float.self) { training.learningRate = value }
        if let value = try arguments.option("--negatives", as: Int.self) { training.negatives = value }
        if let value = try arguments.option("--seed", as: UInt64.self) { training.seed = value }
        training.maxSteps = try arguments.option("--max-steps", as: Int.self)
        wordVectors = try arguments.option("--word-vectors")
        parallelism = try Self.parallelism(threads: try arguments.option("--threads", as: Int.self),
                                           mode: try arguments.option("--parallel"))
        resume = arguments.flag("--resume")
        checkpointMinutes = try arguments.option("--checkpoint-minutes", as: Double.self) ?? 10
        guard checkpointMinutes >= 0 else { throw UsageError("--checkpoint-minutes must be ≥ 0") }
        guard training.epochs >= 1, training.batchSize >= 1, training.negatives >= 1, training.learningRate > 0 else {
            throw UsageError("--epochs, --batch-size and --negatives must be ≥ 1 and --lr > 0")
        }
        if let steps = training.maxSteps, steps < 1 { throw UsageError("--max-steps must be ≥ 1") }
    }

    func run(context: CommandContext) throws {
        let store = try NewsStore(path: databasePath, create: false)
        let started = Date()
        let corpus = try StoreCorpus.load(store: store, splits: [.train, .dev], context: context)
        context.log("loaded \(corpus.news.count) news, vocabulary \(corpus.vocabulary.count), "
            + corpus.splits.sorted { $0.key.rawValue > $1.key.rawValue }
                .map { "\($0.key.rawValue) \($0.value.count) impressions" }.joined(separator: ", ")
            + String(format: " (%.1f s)", Date().timeIntervalSince(started)))
        let vectors = try wordVectors.map { path -> WordVectors in
            context.log("reading word vectors \(path)")
            return try WordVectors(contentsOf: URL(fileURLWithPath: path))
        }
        let outcome = try TrainingSession.run(corpus: corpus, model: model, training: training, wordVectors: vectors,
                                              parallelism: parallelism, directory: URL(fileURLWithPath: output),
                                              resume: resume, checkpointMinutes: checkpointMinutes,
                                              context: context)
        context.print("trained \(outcome.stepsRun) steps in \(String(format: "%.1f", outcome.seconds)) s; "
            + "\(outcome.state.completedEpochs) epoch(s) done, step \(outcome.state.step)")
        if let last = outcome.devMetrics.last { context.print("dev: \(last.formatted)") }
        context.print("checkpoint: \(outcome.checkpoint.path)")
    }

    static func encoder(_ text: String?) throws -> NRMSConfiguration.Encoder {
        guard let text else { return .fastformer }
        guard let encoder = NRMSConfiguration.Encoder(rawValue: text) else {
            throw UsageError("--encoder must be fastformer or mhsa, got '\(text)'")
        }
        return encoder
    }

    static func parallelism(threads: Int?, mode: String?) throws -> Parallelism {
        let count = threads ?? Parallelism.coreCount
        guard count >= 1 else { throw UsageError("--threads must be ≥ 1") }
        switch mode ?? "data" {
        case "data": return .dataParallel(count)
        case "blas": return .blas(count)
        default: throw UsageError("--parallel must be data or blas, got '\(mode!)'")
        }
    }
}

/// A training run with progress on standard error, shared by `train` and `demo`.
enum TrainingSession {
    static func run(corpus: TrainingCorpus, model options: ModelOptions, training: TrainingOptions,
                    wordVectors: WordVectors?, parallelism: Parallelism, directory: URL, resume: Bool,
                    checkpointMinutes: Double = 10, context: CommandContext) throws -> TrainingOutcome {
        let (model, found) = try NRMSTraining.makeModel(corpus: corpus, options: options, wordVectors: wordVectors,
                                                        training: training, parallelism: parallelism)
        if wordVectors != nil {
            context.log("word vectors for \(found) of \(corpus.vocabulary.count - 2) vocabulary words")
        }
        let configuration = model.configuration
        context.log("model: \(configuration.encoder.rawValue), hidden \(configuration.hiddenSize), "
            + "\(configuration.headCount) heads, word dim \(configuration.wordDimension); "
            + "\(parallelism.workers) worker(s) × \(parallelism.blasThreads) BLAS thread(s)")
        let trainer = Trainer(model: model, corpus: corpus, options: training, parallelism: parallelism,
                              directory: directory)
        trainer.checkpointInterval = checkpointMinutes > 0 ? checkpointMinutes * 60 : nil
        var lastPrint = Date.distantPast
        var redrawing = false
        trainer.onProgress = { progress in
            let now = Date()
            let last = progress.batchInEpoch == progress.batchesPerEpoch
            guard now.timeIntervalSince(lastPrint) >= (context.interactive ? 0.5 : 10) || last else { return }
            lastPrint = now
            let line = String(format: "epoch %d/%d  step %d (%d/%d)  %.1f samples/s  loss %.4f  ETA %@",
                              progress.epoch, progress.epochs, progress.step, progress.batchInEpoch,
                              progress.batchesPerEpoch, progress.samplesPerSecond, progress.loss,
                              Self.duration(progress.remaining))
            if context.interactive {
                context.logRaw("\r" + line + "   ")
                redrawing = true
            } else {
                context.log(line)
            }
        }
        trainer.onEpoch = { record in
            if redrawing {
                context.logRaw("\n")
                redrawing = false
            }
            var line = String(format: "epoch %d done at step %d: train loss %.4f", record.epoch, record.step,
                              record.trainLoss)
            if let dev = record.dev { line += "; dev \(dev.formatted)" }
            context.log(line)
        }
        let outcome = try trainer.run(resume: resume)
        if redrawing { context.logRaw("\n") }
        context.log("log: \(trainer.log.url.path); report: \(trainer.reportURL.path)")
        return outcome
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
                             : String(format: "%dm%02ds", total / 60, total % 60)
    }
}

/// Reads the store into a `TrainingCorpus` (token ids and row indices, no strings kept per impression).
enum StoreCorpus {
    /// - Parameters:
    ///   - vocabulary: the vocabulary to encode titles with (a checkpoint's); nil builds one from every title.
    ///   - splits: the splits to read (those without impressions are left out).
    static func load(store: NewsStore, vocabulary: Vocabulary? = nil, splits: [Split],
                     titleLength: Int = 30, historyLength: Int = 50, context: CommandContext) throws -> TrainingCorpus {
        var titles: [(NewsID, String)] = []
        try store.withConnection { try $0.forEachTitle { titles.append(($0, $1)) } }
        guard !titles.isEmpty else {
            throw TrainingDataError(source: store.path, expected: "ingested news (run newsrec ingest first)")
        }
        let vocabulary = vocabulary ?? Vocabulary(buildingFrom: titles.lazy.map(\.1))
        var news = NewsTable(titleLength: titleLength)
        for (id, title) in titles { news.add(id, title: title, vocabulary: vocabulary) }
        titles = []
        let present = Set(try store.withConnection { try $0.splitsWithImpressions() })
        var tables: [Split: ImpressionTable] = [:]
        for split in splits where present.contains(split) {
            var table = ImpressionTable(historyLength: historyLength)
            var unknownCandidates = 0
            try store.withConnection { try $0.forEachImpression(split: split) { impression in
                // A candidate no news file defines is scored from an empty title rather than dropped, so that
                // every impression keeps all its candidates (prediction files need a rank for each).
                for candidate in impression.candidates where news.row(of: candidate.news) == nil {
                    news.add(candidate.news, titleTokens: [])
                    unknownCandidates += 1
                }
                try table.append(impression, news: news, source: "\(split.rawValue) impression")
            } }
            if unknownCandidates > 0 {
                context.log("\(split.rawValue): \(unknownCandidates) candidate news without a news row get an empty title")
            }
            if table.unknownHistoryCount > 0 {
                context.log("\(split.rawValue): \(table.unknownHistoryCount) history clicks on news that no "
                    + "ingested news file defines were left out")
            }
            tables[split] = table
        }
        return TrainingCorpus(vocabulary: vocabulary, news: news, splits: tables)
    }
}
