import Basics
import Foundation
import MIND
import NewsModel
import TensorMath

/// Micro-benchmarks of the model on synthetic data, matching `Tools/reference/bench_model.py` (PyTorch):
/// per encoder, one training batch of 64 samples × (50 history + 5 candidates) = 3520 titles of 30 tokens
/// (5…15 real tokens each), news encoder and user encoder forward (evaluation) and forward+backward
/// (training, dropout on), a whole training step (loss, backward, Adam), and a sequence-length scaling table
/// for one attention layer.
public enum ModelBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        /// OpenBLAS threads and model worker threads.
        public var threads = 2
        /// Timed runs per measurement.
        public var repetitions = 5
        /// Untimed runs before them.
        public var warmup = 1
        public var encoders: [NRMSConfiguration.Encoder] = [.fastformer, .mhsa]
        public var batchSize = 64
        public var negatives = 4
        public var vocabularySize = 50_000
        public var configuration = NRMSConfiguration(vocabularySize: 50_000)
        /// Run the batch benchmarks (encoders and training step).
        public var model = true
        /// Run the sequence-length scaling table.
        public var scaling = true
        /// batch × length in the scaling table.
        public var scalingTokens = 16_384
        public var scalingLengths = (0..<8).map { 32 << $0 }
        /// Skip MHSA scaling points whose attention weights would exceed this many MiB.
        public var maxAttentionMiB = 512.0
        public init() {}
    }

    /// One measurement: median and minimum seconds over the repetitions, and the arithmetic rate.
    public struct Row: Sendable, Codable {
        public var encoder: String
        public var part: String
        public var mode: String
        public var shape: String
        public var medianSeconds: Double?
        public var minimumSeconds: Double?
        /// Counted floating-point operations (multiply-adds as 2) per call divided by the median time.
        public var gflops: Double?
        public var samplesPerSecond: Double?
        public var note: String?
    }

    /// The rows of every measurement.
    public struct Report: Sendable, Codable {
        public var threads: Int
        public var repetitions: Int
        public var model: [Row] = []
        /// `part` = "attention L=<length> B=<batch>", mode "fwd+bwd".
        public var scaling: [Row] = []
    }

    /// Runs the benchmarks; `progress` receives one line per measurement.
    public static func run(_ options: Options, progress: (String) -> Void = { _ in }) throws -> Report {
        BLAS.setThreadCount(options.threads)
        var report = Report(threads: options.threads, repetitions: options.repetitions)
        if options.model {
            for encoder in options.encoders {
                report.model += try benchmarkModel(encoder: encoder, options: options, progress: progress)
            }
        }
        if options.scaling {
            for length in options.scalingLengths {
                for encoder in options.encoders {
                    report.scaling.append(try benchmarkAttention(length: length, encoder: encoder, options: options,
                                                                 progress: progress))
                }
            }
        }
        return report
    }

    /// The median and minimum wall time of `body` over the repetitions after the warm-up runs.
    static func time(_ options: Options, _ body: () throws -> Void) rethrows -> (median: Double, minimum: Double) {
        let times = try Timing.seconds(warmup: options.warmup, repetitions: options.repetitions, body)
        return (Timing.median(times), times.min() ?? 0)
    }

    /// Forward FLOPs of attention + pooling over `rows` real positions with input size `input`;
    /// `pairs` = Σ n² over the sequences (MHSA).
    static func forwardFlops(_ c: NRMSConfiguration, input: Int, rows rowCount: Int, pairs: Int) -> Double {
        attentionFlops(c, input: input, rows: rowCount, pairs: pairs) + poolingFlops(c, rows: rowCount)
    }

    /// Forward FLOPs of the attention layer alone.
    static func attentionFlops(_ c: NRMSConfiguration, input: Int, rows rowCount: Int, pairs: Int) -> Double {
        let rows = Double(rowCount), h = Double(c.hiddenSize), heads = Double(c.headCount)
        switch c.encoder {
        case .fastformer:
            return rows * (2 * 2 * Double(input) * h + 2 * 2 * h * heads + 2 * h * h + 8 * h)
        case .mhsa:
            return rows * 3 * 2 * Double(input) * h + 2 * 2 * Double(pairs) * h
        }
    }

    /// Forward FLOPs of the additive pooling.
    static func poolingFlops(_ c: NRMSConfiguration, rows: Int) -> Double {
        let h = Double(c.hiddenSize), pooling = Double(c.poolingDimension)
        return Double(rows) * (2 * h * pooling + 2 * pooling + 2 * h)
    }

    /// News and user encoder forward and forward+backward, and a whole training step, of one encoder kind.
    static func benchmarkModel(encoder: NRMSConfiguration.Encoder, options: Options,
                               progress: (String) -> Void) throws -> [Row] {
        var configuration = options.configuration
        configuration.encoder = encoder
        configuration.vocabularySize = options.vocabularySize
        let parameters = try NRMSParameters(configuration: configuration, seed: 0)
        let inputs = ModelBenchmarkInputs(configuration: configuration, batchSize: options.batchSize,
                                          negatives: options.negatives)
        let vocabulary = Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken]
                                    + (2..<configuration.vocabularySize).map { "w\($0)" })
        let model = try NRMSModel(parameters: parameters, vocabulary: vocabulary)
        let workspace = model.makeWorkspace(threads: options.threads)
        return try withoutActuallyEscaping(progress) { progress in
            var recorder = RowRecorder(encoder: encoder, options: options, progress: progress)
            measureEncoders(parameters: parameters, workspace: workspace, inputs: inputs, recorder: &recorder)
            try measureTrainingStep(model: model, workspace: workspace, inputs: inputs, recorder: &recorder)
            return recorder.rows
        }
    }

    /// News and user encoder, forward (evaluation) and forward+backward (training, dropout on).
    private static func measureEncoders(parameters: NRMSParameters, workspace: NRMSModel.Workspace,
                                        inputs: ModelBenchmarkInputs, recorder: inout RowRecorder) {
        let news = workspace.newsEncoder, users = workspace.userEncoder, gradients = workspace.gradients
        let w = UnsafePointer(parameters.values.pointer)
        let titleCount = inputs.titleCount, length = inputs.titleLength, batch = inputs.batchSize
        let titles = inputs.packedTitles
        let newsShape = "\(titleCount)x\(length)"
        let userShape = "\(batch)x\(inputs.historyLength)x\(inputs.hiddenSize)"
        recorder.record("news_encoder", "forward", newsShape, inputs.newsFlops) {
            news.forward(parameters: w, titles: titles, dropoutSeed: nil)
        }
        recorder.record("user_encoder", "forward", userShape, inputs.userFlops) {
            inputs.packHistories()
            users.forward(parameters: w, input: inputs.packedHistory.pointer, offsets: inputs.historyOffsets.pointer,
                          sequences: batch, dropoutSeed: nil)
        }
        var seed: UInt64 = 0
        recorder.record("news_encoder", "fwd+bwd", newsShape, 3 * inputs.newsFlops) {
            gradients.zero()
            seed &+= 1
            news.forward(parameters: w, titles: titles, dropoutSeed: seed)
            news.backward(parameters: w, gradients: gradients, outputGradient: inputs.projection.pointer)
        }
        recorder.record("user_encoder", "fwd+bwd", userShape, 3 * inputs.userFlops) {
            gradients.zero()
            seed &+= 1
            inputs.packHistories()
            users.forward(parameters: w, input: inputs.packedHistory.pointer, offsets: inputs.historyOffsets.pointer,
                          sequences: batch, dropoutSeed: seed)
            users.backward(parameters: w, gradients: gradients.denseBase,
                           outputGradient: inputs.projection.pointer, inputGradient: inputs.historyGradient.pointer)
        }
    }

    /// A whole training step: loss, backward and an Adam update.
    private static func measureTrainingStep(model: NRMSModel, workspace: NRMSModel.Workspace,
                                            inputs: ModelBenchmarkInputs, recorder: inout RowRecorder) throws {
        let batch = inputs.batch, parameters = model.parameters
        let adam = Adam(layout: parameters.layout, learningRate: 1e-4, threads: recorder.options.threads)
        var rng = SplitMix64(seed: 2)
        let gradients = workspace.gradients
        let flops = 3 * (inputs.newsFlops + inputs.userFlops)
        try recorder.record("train_step", "step", "batch \(inputs.batchSize)", flops, samples: inputs.batchSize) {
            gradients.zero()
            _ = try model.forward(batch, workspace: workspace, dropoutSeed: rng.next())
            model.backward(batch, workspace: workspace)
            adam.step(parameters: parameters, gradients: gradients)
        }
    }

    /// One attention layer's forward+backward (with dropout on its output and gradient, as in an encoder) over
    /// sequences of `length`, `scalingTokens / length` of them.
    static func benchmarkAttention(length: Int, encoder: NRMSConfiguration.Encoder, options: Options,
                                   progress: (String) -> Void) throws -> Row {
        let h = options.configuration.hiddenSize, heads = options.configuration.headCount
        let batch = max(1, options.scalingTokens / length)
        var row = Row(encoder: encoder.rawValue, part: "attention L=\(length) B=\(batch)", mode: "fwd+bwd",
                      shape: "\(batch)x\(length)x\(h)")
        let attentionMiB = Double(batch * heads * length * length * 4) / 1_048_576
        if encoder == .mhsa && attentionMiB > options.maxAttentionMiB {
            row.note = String(format: "skipped: attention weights %.0f MiB", attentionMiB)
            progress("  L=\(length) B=\(batch) \(encoder.rawValue) skipped")
            return row
        }
        var configuration = options.configuration
        configuration.encoder = encoder
        configuration.wordDimension = h        // D_in = hidden, as in the reference table
        configuration.vocabularySize = 2
        configuration.titleLength = length
        // As in the reference, the last length/8 positions of every sequence are padding (skipped here).
        let real = length - length / 8
        let layer = try AttentionLayerInputs(configuration: configuration, sequences: batch, length: real,
                                             threads: options.threads)
        let (median, minimum) = time(options) { layer.forwardBackward() }
        let flops = attentionFlops(configuration, input: h, rows: batch * real, pairs: batch * real * real)
        row.medianSeconds = median
        row.minimumSeconds = minimum
        row.gflops = 3 * flops / median / 1e9
        progress(String(format: "  L=%d B=%d %@ %.1f ms", length, batch, encoder.rawValue, median * 1e3))
        return row
    }
}

/// Times measurements of one encoder kind and collects them as rows.
struct RowRecorder {
    let encoder: NRMSConfiguration.Encoder
    let options: ModelBenchmark.Options
    let progress: (String) -> Void
    var rows: [ModelBenchmark.Row] = []

    /// Times `body` and appends its row; `flops` per call gives GFLOP/s, `samples` per call samples/s.
    mutating func record(_ part: String, _ mode: String, _ shape: String, _ flops: Double?, samples: Int? = nil,
                         _ body: () throws -> Void) rethrows {
        let (median, minimum) = try ModelBenchmark.time(options, body)
        var row = ModelBenchmark.Row(encoder: encoder.rawValue, part: part, mode: mode, shape: shape,
                                     medianSeconds: median, minimumSeconds: minimum)
        row.gflops = flops.map { $0 / median / 1e9 }
        row.samplesPerSecond = samples.map { Double($0) / median }
        rows.append(row)
        progress(String(format: "  %@ %@ %@ %.1f ms", encoder.rawValue, part, mode, median * 1e3))
    }
}
