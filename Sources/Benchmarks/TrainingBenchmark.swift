import Foundation
import MIND
import NewsModel
import Training

/// End-to-end throughput at the default model sizes (hidden 256, 16 heads, word dim 300, titles 30, history 50,
/// 4 negatives, batch 64) on an in-memory corpus: training samples/s per encoder and parallel mode, news encoded/s
/// and impressions scored/s. Behind `newsrec bench train`.
public enum TrainingBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        public var encoders: [NRMSConfiguration.Encoder] = NRMSConfiguration.Encoder.allCases
        /// The ways of spreading training over the threads to measure, each under its name in the report.
        public var modes: [Mode] = []
        /// Timed training steps per configuration (after 3 untimed warm-up steps).
        public var steps = 30
        /// Threads of the inference measurement (data-parallel).
        public var threads = ProcessInfo.processInfo.activeProcessorCount
        public init() {}
    }

    /// A parallelism of training and its name in the report (`data`, `blas`).
    public struct Mode: Sendable {
        public var name: String
        public var parallelism: Parallelism

        public init(name: String, parallelism: Parallelism) {
            self.name = name
            self.parallelism = parallelism
        }
    }

    /// Training throughput of one encoder and parallel mode.
    public struct TrainingFigure: Sendable, Encodable {
        public var encoder: String
        public var parallel: String
        public var workers: Int
        public var blasThreads: Int
        public var steps: Int
        public var samplesPerSecond: Double
        public var secondsPerStep: Double
    }

    /// Inference throughput of one encoder.
    public struct InferenceFigure: Sendable, Encodable {
        public var encoder: String
        public var news: Int
        public var newsPerSecond: Double
        public var impressions: Int
        public var impressionsPerSecond: Double
    }

    /// The figures with the machine and dataset they were measured on.
    public struct Report: Sendable, Encodable {
        public var machine: Machine
        public var dataset: String
        public var trainSamples: Int
        public var vocabulary: Int
        public var training: [TrainingFigure]
        public var inference: [InferenceFigure]
        /// News of the corpus and impressions scored (shown in the text; not in the JSON).
        public var newsCount: Int
        public var scoredImpressions: Int

        enum CodingKeys: String, CodingKey {
            case machine, dataset, trainSamples, vocabulary, training, inference
        }
    }

    /// Measures every encoder × parallel mode on `corpus` (its train split for training; its dev split, else its
    /// train split, for scoring). `dataset` names the data in the report.
    public static func run(corpus: TrainingCorpus, dataset: String, options: Options,
                           log: (String) -> Void) throws -> Report {
        guard let train = corpus.splits[.train] else {
            throw BenchmarkError.notEnoughData("the store has no train split")
        }
        let scored = corpus.splits[.dev] ?? train
        let trainSamples = try SampleSet(impressions: train, negatives: 4, seed: 1, epoch: 0).count
        let machine = Machine.current()
        log("machine: \(machine.cores) cores, \(machine.cpu)")
        var training: [TrainingFigure] = []
        var inference: [InferenceFigure] = []
        for encoder in options.encoders {
            for mode in options.modes {
                let figure = try measureTraining(corpus: corpus, encoder: encoder, mode: mode, options: options)
                log(String(format: "%@ %@ (%d×%d): %.1f training samples/s", encoder.rawValue, mode.name,
                           figure.workers, figure.blasThreads, figure.samplesPerSecond))
                training.append(figure)
            }
            let figure = try measureInference(corpus: corpus, table: scored, encoder: encoder,
                                              threads: options.threads)
            log(String(format: "%@: %.0f news/s, %.0f impressions/s", encoder.rawValue, figure.newsPerSecond,
                       figure.impressionsPerSecond))
            inference.append(figure)
        }
        return Report(machine: machine, dataset: dataset, trainSamples: trainSamples,
                      vocabulary: corpus.vocabulary.count, training: training, inference: inference,
                      newsCount: corpus.news.count, scoredImpressions: scored.count)
    }

    /// Trains `options.steps` timed steps (after 3 warm-up steps) into a scratch directory.
    static func measureTraining(corpus: TrainingCorpus, encoder: NRMSConfiguration.Encoder, mode: Mode,
                                options: Options) throws -> TrainingFigure {
        let warmup = 3
        let parallelism = mode.parallelism
        let training = TrainingOptions(epochs: 1000, batchSize: 64, learningRate: 1e-4, negatives: 4, seed: 1,
                                       maxSteps: warmup + options.steps)
        let (model, _) = try NRMSTraining.makeModel(corpus: corpus, options: ModelOptions(encoder: encoder),
                                                    wordVectors: nil, training: training, parallelism: parallelism)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("newsrec-bench-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = try Trainer(model: model, corpus: corpus, options: training, parallelism: parallelism,
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
        return TrainingFigure(encoder: encoder.rawValue, parallel: mode.name, workers: parallelism.workers,
                              blasThreads: parallelism.blasThreads, steps: timedSteps,
                              samplesPerSecond: Double(timedSteps * training.batchSize) / seconds,
                              secondsPerStep: seconds / Double(timedSteps))
    }

    /// Encodes every news and scores `table` with a freshly initialised model of default sizes.
    static func measureInference(corpus: TrainingCorpus, table: ImpressionTable, encoder: NRMSConfiguration.Encoder,
                                 threads: Int) throws -> InferenceFigure {
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
}

extension TrainingBenchmark.Report: BenchmarkReport {
    public static var jsonFormatting: JSONEncoder.OutputFormatting { [.sortedKeys, .withoutEscapingSlashes] }

    /// The machine, the dataset, one line per training configuration and one per encoder's inference.
    public var text: String {
        var lines = ["machine: \(machine.cores) cores, \(machine.cpu), "
            + String(format: "%.0f GiB", machine.memoryGiB) + ", OpenBLAS kernels \(machine.blasKernels)"]
        lines.append("dataset: \(dataset): \(trainSamples) training samples/epoch, vocabulary \(vocabulary), "
            + "\(newsCount) news, \(scoredImpressions) scored impressions")
        lines.append("training (hidden 256, 16 heads, word dim 300, batch 64, 4 negatives):")
        for figure in training {
            lines.append("  \(figure.encoder.padding(toLength: 11, withPad: " ", startingAt: 0))"
                + "\(figure.parallel) \(figure.workers)×\(figure.blasThreads)  "
                + String(format: "%8.1f samples/s  (%.1f ms/step over %d steps)", figure.samplesPerSecond,
                         figure.secondsPerStep * 1000, figure.steps))
        }
        lines.append("inference:")
        for figure in inference {
            lines.append("  \(figure.encoder.padding(toLength: 11, withPad: " ", startingAt: 0))"
                + String(format: "%9.0f news encoded/s  %9.0f impressions scored/s", figure.newsPerSecond,
                         figure.impressionsPerSecond))
        }
        return lines.joined(separator: "\n")
    }
}
