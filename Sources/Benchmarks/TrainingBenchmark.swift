import TensorMath
import Distributed
import Dispatch
import Basics
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
        /// Threads of the inference measurement (data-parallel) and of the sgemm peak.
        public var threads = ProcessInfo.processInfo.activeProcessorCount
        /// The shard counts per batch to train with (`newsrec train --shards`), each measured in every mode.
        public var shardCounts = [TrainingOptions.defaultShards]
        /// Whether to measure inference (news encoded/s, impressions scored/s) too.
        public var measuresInference = true
        /// The side of the square sgemm whose speed is the peak the training step is compared with.
        public var peakSize = 4096
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
        public var shards: Int
        public var workers: Int
        public var blasThreads: Int
        public var steps: Int
        public var samplesPerSecond: Double
        public var secondsPerStep: Double
        /// Floating-point operations per second of the timed steps: 3 × the forward FLOPs of the news and user
        /// encoders over the tokens and clicks the shards' batches actually hold (deduplicated, unpadded).
        public var gflops: Double
        /// `gflops` over the sgemm peak measured in the same run.
        public var fractionOfPeak: Double
        /// Mean milliseconds per timed step in each phase of the step (batches, embedding rows, forward+backward,
        /// reduction, Adam).
        public var phaseMilliseconds: [String: Double]
        /// Per shard, mean over the timed steps: samples, word-embedding rows of its gradient, and the gradient's
        /// bytes in the exchange format (what a process sends per shard it owns under mpirun).
        public var shardSamples: Double
        public var shardGradientRows: Double
        public var shardGradientBytes: Double
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
        /// GFLOP/s of one `peakSize`³ sgemm on `peakThreads` threads, measured in the same run.
        public var sgemmGFLOPS: Double
        public var peakSize: Int
        public var peakThreads: Int
        /// News of the corpus and impressions scored (shown in the text; not in the JSON).
        public var newsCount: Int
        public var scoredImpressions: Int

        enum CodingKeys: String, CodingKey {
            case machine, dataset, trainSamples, vocabulary, training, inference, sgemmGFLOPS, peakSize, peakThreads
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
        let peak = sgemmPeak(size: options.peakSize, threads: options.threads)
        log(String(format: "sgemm %d³ on %d threads: %.1f GFLOP/s", options.peakSize, options.threads, peak))
        var training: [TrainingFigure] = []
        var inference: [InferenceFigure] = []
        for encoder in options.encoders {
            for shards in options.shardCounts {
                for mode in options.modes {
                    let figure = try measureTraining(corpus: corpus, encoder: encoder, mode: mode, shards: shards,
                                                     options: options, peak: peak)
                    log(String(format: "%@ %@ (%d×%d), %d shard(s): %.1f training samples/s, %.1f GFLOP/s "
                               + "(%.0f%% of sgemm)", encoder.rawValue, mode.name, figure.workers, figure.blasThreads,
                               shards, figure.samplesPerSecond, figure.gflops, 100 * figure.fractionOfPeak))
                    training.append(figure)
                }
            }
            guard options.measuresInference else { continue }
            let figure = try measureInference(corpus: corpus, table: scored, encoder: encoder,
                                              threads: options.threads)
            log(String(format: "%@: %.0f news/s, %.0f impressions/s", encoder.rawValue, figure.newsPerSecond,
                       figure.impressionsPerSecond))
            inference.append(figure)
        }
        return Report(machine: machine, dataset: dataset, trainSamples: trainSamples,
                      vocabulary: corpus.vocabulary.count, training: training, inference: inference,
                      sgemmGFLOPS: peak, peakSize: options.peakSize, peakThreads: options.threads,
                      newsCount: corpus.news.count, scoredImpressions: scored.count)
    }

    /// Trains `options.steps` timed steps (after 3 warm-up steps) into a scratch directory.
    static func measureTraining(corpus: TrainingCorpus, encoder: NRMSConfiguration.Encoder, mode: Mode, shards: Int,
                                options: Options, peak: Double) throws -> TrainingFigure {
        let warmup = 3
        let parallelism = mode.parallelism
        let training = TrainingOptions(epochs: 1000, batchSize: 64, learningRate: 1e-4, negatives: 4, seed: 1,
                                       maxSteps: warmup + options.steps, shards: shards)
        let (model, _) = try NRMSTraining.makeModel(corpus: corpus, options: ModelOptions(encoder: encoder),
                                                    wordVectors: nil, training: training, parallelism: parallelism)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("newsrec-bench-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = try Trainer(model: model, corpus: corpus, options: training, parallelism: parallelism,
                              directory: directory)
        trainer.evaluatesDev = false
        var warmTime = 0.0, endTime = 0.0, warmStep = 0, endStep = 0
        var warmProfile = StepProfile()
        trainer.onProgress = { [unowned trainer] progress in
            if progress.step == warmup {
                warmTime = progress.elapsed
                warmStep = progress.step
                warmProfile = trainer.stepProfile
            }
            endTime = progress.elapsed
            endStep = progress.step
        }
        _ = try trainer.run(resume: false)
        let timedSteps = endStep - warmStep
        let seconds = endTime - warmTime
        let flops = try trainingFlops(corpus: corpus, configuration: model.configuration, training: training,
                                      steps: warmStep..<endStep)
        let profile = trainer.stepProfile - warmProfile
        return TrainingFigure(encoder: encoder.rawValue, parallel: mode.name, shards: shards,
                              workers: parallelism.workers,
                              blasThreads: parallelism.threadsPerWorker, steps: timedSteps,
                              samplesPerSecond: Double(timedSteps * training.batchSize) / seconds,
                              secondsPerStep: seconds / Double(timedSteps), gflops: flops / seconds / 1e9,
                              fractionOfPeak: flops / seconds / 1e9 / peak,
                              phaseMilliseconds: Dictionary(uniqueKeysWithValues: profile.millisecondsPerStep),
                              shardSamples: profile.perShard.samples, shardGradientRows: profile.perShard.gradientRows,
                              shardGradientBytes: profile.perShard.payloadBytes)
    }

    /// The FLOPs of training steps `steps`: the shard batches rebuilt exactly as the trainer builds them (each
    /// step's epoch and place in it), and for each 3 × the forward FLOPs of the news encoder over its tokens and of
    /// the user encoder over its clicks (forward + backward ≈ 3 × forward; scores, loss and Adam are not counted).
    static func trainingFlops(corpus: TrainingCorpus, configuration: NRMSConfiguration, training: TrainingOptions,
                              steps: Range<Int>) throws -> Double {
        guard let train = corpus.splits[.train] else { return 0 }
        var samplesByEpoch: [Int: SampleSet] = [:]
        func samples(_ epoch: Int) throws -> SampleSet {
            if let known = samplesByEpoch[epoch] { return known }
            let drawn = try SampleSet(impressions: train, negatives: training.negatives, seed: training.seed,
                                      epoch: epoch, undefined: corpus.news.undefinedRows)
            samplesByEpoch[epoch] = drawn
            return drawn
        }
        let batchesPerEpoch = (try samples(0).count + training.batchSize - 1) / training.batchSize
        var builder = BatchBuilder(newsCount: corpus.news.count)
        var batch = Batch()
        var flops = 0.0
        for step in steps {
            let epochSamples = try samples(step / batchesPerEpoch)
            let lower = step % batchesPerEpoch * training.batchSize
            let range = lower..<min(lower + training.batchSize, epochSamples.count)
            for shard in 0..<training.shards {
                builder.build(&batch, samples: epochSamples, range: ShardPlan.block(shard, of: training.shards, in: range),
                              impressions: train, news: corpus.news, historyLength: configuration.historyLength)
                flops += 3 * forwardFlops(of: batch, configuration: configuration)
            }
        }
        return flops
    }

    /// The forward FLOPs of the two encoders over one batch.
    static func forwardFlops(of batch: Batch, configuration c: NRMSConfiguration) -> Double {
        let titleLengths = (0..<batch.titles.count).map { batch.titles.length(of: $0) }
        let historyLengths = (0..<batch.histories.count).map { batch.histories.length(of: $0) }
        return ModelBenchmark.forwardFlops(c, input: c.wordDimension, rows: titleLengths.reduce(0, +),
                                           pairs: titleLengths.map { $0 * $0 }.reduce(0, +))
            + ModelBenchmark.forwardFlops(c, input: c.hiddenSize, rows: historyLengths.reduce(0, +),
                                          pairs: historyLengths.map { $0 * $0 }.reduce(0, +))
    }

    /// GFLOP/s of a `size`³ sgemm on `threads` BLAS threads (median of 3, after one untimed run).
    static func sgemmPeak(size: Int, threads: Int) -> Double {
        BLAS.setThreadCount(threads)
        let a = Tensor(shape: [size, size]), b = Tensor(shape: [size, size]), c = Tensor(shape: [size, size])
        var rng = SplitMix64(seed: 9)
        for i in 0..<a.count { a[i] = Float(rng.nextUnitDouble()) - 0.5 }
        for i in 0..<b.count { b[i] = Float(rng.nextUnitDouble()) - 0.5 }
        var times: [Double] = []
        for run in 0..<4 {
            let start = DispatchTime.now().uptimeNanoseconds
            BLAS.gemm(m: size, n: size, k: size, a: a.pointer, lda: size, b: b.pointer, ldb: size, c: c.pointer, ldc: size)
            if run > 0 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        return 2 * pow(Double(size), 3) / times.sorted()[1] / 1e9
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
        lines.append(String(format: "sgemm %d³ on %d threads: %.1f GFLOP/s (the peak below)", peakSize, peakThreads,
                            sgemmGFLOPS))
        lines.append("training (hidden 256, 16 heads, word dim 300, batch 64, 4 negatives):")
        for figure in training {
            lines.append("  \(figure.encoder.padding(toLength: 11, withPad: " ", startingAt: 0))"
                + "\(figure.parallel) \(figure.workers)×\(figure.blasThreads) \(figure.shards) shard(s)  "
                + String(format: "%8.1f samples/s  (%.1f ms/step over %d steps)  %6.1f GFLOP/s = %.0f%% of sgemm",
                         figure.samplesPerSecond, figure.secondsPerStep * 1000, figure.steps, figure.gflops,
                         100 * figure.fractionOfPeak))
            let phases = StepProfile.phaseNames.map { String(format: "%@ %.1f", $0, figure.phaseMilliseconds[$0] ?? 0) }
            lines.append("    ms/step: " + phases.joined(separator: ", ")
                + String(format: "; per shard: %.1f samples, %.0f gradient rows, %.2f MB of gradient",
                         figure.shardSamples, figure.shardGradientRows, figure.shardGradientBytes / 1e6))
        }
        if !inference.isEmpty { lines.append("inference:") }
        for figure in inference {
            lines.append("  \(figure.encoder.padding(toLength: 11, withPad: " ", startingAt: 0))"
                + String(format: "%9.0f news encoded/s  %9.0f impressions scored/s", figure.newsPerSecond,
                         figure.impressionsPerSecond))
        }
        return lines.joined(separator: "\n")
    }
}
