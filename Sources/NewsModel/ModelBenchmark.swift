import Basics
import Dispatch
import Foundation
import MIND
import TensorMath

/// Micro-benchmarks of the model on synthetic data, matching `Tools/reference/bench_model.py` (PyTorch):
/// per encoder, one training batch of 64 samples × (50 history + 5 candidates) = 3520 titles of 30 tokens
/// (5…15 real tokens each), news encoder and user encoder forward (evaluation) and forward+backward
/// (training, dropout on), a whole training step (loss, backward, Adam), and a sequence-length scaling table
/// for one attention layer.
public enum ModelBenchmark {
    public struct Options: Sendable {
        public var threads = 2
        public var repetitions = 5
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
            report.scaling = try benchmarkScaling(options: options, progress: progress)
        }
        return report
    }

    /// The median and minimum wall time of `body` over `repetitions` runs after `warmup` runs.
    static func time(_ options: Options, _ body: () throws -> Void) rethrows -> (median: Double, minimum: Double) {
        for _ in 0..<options.warmup { try body() }
        var times: [Double] = []
        for _ in 0..<max(1, options.repetitions) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        let middle = times.count / 2
        let median = times.count % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2
        return (median, times[0])
    }

    /// Forward FLOPs of attention + pooling over `rows` real positions with input size `input`;
    /// `pairs` = Σ n² over the sequences (MHSA).
    static func forwardFlops(_ c: NRMSConfiguration, input: Int, rows rowCount: Int, pairs: Int) -> Double {
        let rows = Double(rowCount), h = Double(c.hiddenSize), heads = Double(c.headCount)
        let attention: Double
        switch c.encoder {
        case .fastformer:
            attention = rows * (2 * 2 * Double(input) * h + 2 * 2 * h * heads + 2 * h * h + 8 * h)
        case .mhsa:
            attention = rows * 3 * 2 * Double(input) * h + 2 * 2 * Double(pairs) * h
        }
        let pooling = rows * (2 * h * Double(c.poolingDimension) + 2 * Double(c.poolingDimension) + 2 * h)
        return attention + pooling
    }

    static func benchmarkModel(encoder: NRMSConfiguration.Encoder, options: Options,
                               progress: (String) -> Void) throws -> [Row] {
        var configuration = options.configuration
        configuration.encoder = encoder
        configuration.vocabularySize = options.vocabularySize
        let parameters = try NRMSParameters(configuration: configuration, seed: 0)
        let b = options.batchSize, t = configuration.historyLength, c = 1 + options.negatives
        let l = configuration.titleLength, h = configuration.hiddenSize
        let titleCount = b * (t + c)
        var rng = SplitMix64(seed: 1)
        var titles = [Int32](repeating: 0, count: titleCount * l)
        for n in 0..<titleCount {
            let length = 5 + Int(rng.next() % 11)
            for i in 0..<length { titles[n * l + i] = Int32(2 + Int(rng.next() % UInt64(configuration.vocabularySize - 2))) }
        }
        let historyVectors = Tensor(shape: [b * t, h])
        rng.fillGaussian(historyVectors.pointer, count: historyVectors.count, standardDeviation: 1)
        let historyMask = Tensor(shape: [b * t])
        let packedHistory = Tensor(shape: [b * t, h]), packedHistoryGradient = Tensor(shape: [b * t, h])
        var historyOffsets = [Int32](repeating: 0, count: b + 1)
        /// Packs the padded `[b × t × h]` histories (the encoder input format of the PyTorch reference).
        func packHistories() {
            var packed = 0
            for user in 0..<b {
                historyOffsets[user] = Int32(packed)
                for i in 0..<t where historyMask[user * t + i] != 0 {
                    (packedHistory.pointer + packed * h).update(from: historyVectors.pointer + (user * t + i) * h, count: h)
                    packed += 1
                }
            }
            historyOffsets[b] = Int32(packed)
        }
        var histories = [Int32](repeating: -1, count: b * t)
        var candidates = [Int32](repeating: 0, count: b * c)
        for user in 0..<b {
            let clicks = 10 + Int(rng.next() % UInt64(t - 9))
            for i in (t - clicks)..<t {
                historyMask[user * t + i] = 1
                histories[user * t + i] = Int32(user * t + i)
            }
            for j in 0..<c { candidates[user * c + j] = Int32(b * t + user * c + j) }
        }
        let projection = Tensor(shape: [max(titleCount, b), h])
        var direction = [Float](repeating: 0, count: h)
        for i in 0..<h { direction[i] = Float(rng.nextGaussian()) }
        for row in 0..<projection.shape[0] { for i in 0..<h { projection[row * h + i] = direction[i] } }

        let vocabulary = Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken]
                                    + (2..<configuration.vocabularySize).map { "w\($0)" })
        let model = try NRMSModel(parameters: parameters, vocabulary: vocabulary)
        let workspace = model.makeWorkspace(threads: options.threads)
        let packedTitles = PackedSequences(padded: titles, width: l, padding: 0)
        let w = UnsafePointer(parameters.values.pointer)
        var rows: [Row] = []
        func record(_ part: String, _ mode: String, _ shape: String, _ flops: Double?, samples: Int? = nil,
                    _ body: () throws -> Void) rethrows {
            let (median, minimum) = try time(options, body)
            var row = Row(encoder: encoder.rawValue, part: part, mode: mode, shape: shape, medianSeconds: median,
                          minimumSeconds: minimum)
            row.gflops = flops.map { $0 / median / 1e9 }
            row.samplesPerSecond = samples.map { Double($0) / median }
            rows.append(row)
            progress(String(format: "  %@ %@ %@ %.1f ms", encoder.rawValue, part, mode, median * 1e3))
        }
        var tokenRows = 0, tokenPairs = 0, clickRows = 0, clickPairs = 0
        for n in 0..<titleCount {
            let real = (0..<l).filter { titles[n * l + $0] != 0 }.count
            tokenRows += real
            tokenPairs += real * real
        }
        for user in 0..<b {
            let real = (0..<t).filter { historyMask[user * t + $0] != 0 }.count
            clickRows += real
            clickPairs += real * real
        }
        let newsFlops = forwardFlops(configuration, input: configuration.wordDimension, rows: tokenRows, pairs: tokenPairs)
        let userFlops = forwardFlops(configuration, input: h, rows: clickRows, pairs: clickPairs)
        do {
            let news = workspace.newsEncoder, users = workspace.userEncoder, gradients = workspace.gradients
            record("news_encoder", "forward", "\(titleCount)x\(l)", newsFlops) {
                news.forward(parameters: w, titles: packedTitles, dropoutSeed: nil)
            }
            record("user_encoder", "forward", "\(b)x\(t)x\(h)", userFlops) {
                packHistories()
                users.forward(parameters: w, input: packedHistory.pointer, offsets: historyOffsets, sequences: b,
                              dropoutSeed: nil)
            }
            var seed: UInt64 = 0
            record("news_encoder", "fwd+bwd", "\(titleCount)x\(l)", 3 * newsFlops) {
                gradients.zero()
                seed &+= 1
                news.forward(parameters: w, titles: packedTitles, dropoutSeed: seed)
                news.backward(parameters: w, gradients: gradients, outputGradient: projection.pointer)
            }
            record("user_encoder", "fwd+bwd", "\(b)x\(t)x\(h)", 3 * userFlops) {
                gradients.zero()
                seed &+= 1
                packHistories()
                users.forward(parameters: w, input: packedHistory.pointer, offsets: historyOffsets, sequences: b,
                              dropoutSeed: seed)
                users.backward(parameters: w, gradients: gradients.denseBase, outputGradient: projection.pointer,
                               inputGradient: packedHistoryGradient.pointer)
            }
            let batch = Batch(paddedTitles: titles, titleLength: l, paddedHistories: histories, historyLength: t,
                              candidates: candidates, candidateCount: c)
            let adam = Adam(layout: parameters.layout, learningRate: 1e-4, threads: options.threads)
            var stepRNG = SplitMix64(seed: 2)
            try record("train_step", "step", "batch \(b)", 3 * (newsFlops + userFlops), samples: b) {
                gradients.zero()
                _ = try model.forward(batch, workspace: workspace, dropoutSeed: stepRNG.next())
                model.backward(batch, workspace: workspace)
                adam.step(parameters: parameters, gradients: gradients)
            }
        }
        return rows
    }

    static func benchmarkScaling(options: Options, progress: (String) -> Void) throws -> [Row] {
        var rows: [Row] = []
        let h = options.configuration.hiddenSize, heads = options.configuration.headCount
        for length in options.scalingLengths {
            let batch = max(1, options.scalingTokens / length)
            for encoder in options.encoders {
                var configuration = options.configuration
                configuration.encoder = encoder
                configuration.wordDimension = h        // D_in = hidden, as in the reference table
                configuration.vocabularySize = 2
                configuration.titleLength = length
                var row = Row(encoder: encoder.rawValue, part: "attention L=\(length) B=\(batch)", mode: "fwd+bwd",
                              shape: "\(batch)x\(length)x\(h)")
                let attentionMiB = Double(batch * heads * length * length * 4) / 1_048_576
                if encoder == .mhsa && attentionMiB > options.maxAttentionMiB {
                    row.note = String(format: "skipped: attention weights %.0f MiB", attentionMiB)
                    rows.append(row)
                    progress("  L=\(length) B=\(batch) \(encoder.rawValue) skipped")
                    continue
                }
                let parameters = try NRMSParameters(configuration: configuration, seed: 3)
                let layout = parameters.layout
                // As in the reference, the last length/8 positions of every sequence are padding (skipped here).
                let real = length - length / 8, rowCount = batch * real
                let layer: any SequenceAttention = encoder == .fastformer
                    ? FastformerAttention(layout: layout, prefix: "news_encoder.attention.", heads: heads,
                                          threads: options.threads)
                    : MultiHeadSelfAttention(layout: layout, prefix: "news_encoder.attention.", heads: heads,
                                             threads: options.threads)
                let x = Tensor(shape: [rowCount, h]), dOut = Tensor(shape: [rowCount, h])
                let dx = Tensor(shape: [rowCount, h])
                let offsets = (0...batch).map { Int32($0 * real) }
                var rng = SplitMix64(seed: 4)
                rng.fillGaussian(x.pointer, count: x.count, standardDeviation: 1)
                let gradients = NRMSGradients(layout: layout)
                let w = UnsafePointer(parameters.values.pointer)
                let dropout = configuration.dropout
                var seed: UInt64 = 0
                let (median, minimum) = time(options) {
                    gradients.zero()
                    seed &+= 1
                    layer.forward(parameters: w, input: x.pointer, offsets: offsets, sequences: batch)
                    dropoutInPlace(layer.output.pointer, count: rowCount * h, probability: dropout, seed: seed,
                                   threads: options.threads)
                    for i in 0..<dOut.count { dOut[i] = 1 }
                    dropoutInPlace(dOut.pointer, count: dOut.count, probability: dropout, seed: seed, threads: options.threads)
                    layer.backward(parameters: w, gradients: gradients.denseBase, outputGradient: dOut.pointer,
                                   inputGradient: dx.pointer)
                }
                let flops = forwardFlops(configuration, input: h, rows: rowCount, pairs: batch * real * real)
                    - Double(rowCount) * (2 * Double(h * configuration.poolingDimension) + 2 * Double(configuration.poolingDimension) + 2 * Double(h))
                row.medianSeconds = median
                row.minimumSeconds = minimum
                row.gflops = 3 * flops / median / 1e9
                rows.append(row)
                progress(String(format: "  L=%d B=%d %@ %.1f ms", length, batch, encoder.rawValue, median * 1e3))
            }
        }
        return rows
    }

    /// The report as aligned text tables.
    public static func format(_ report: Report) -> String {
        var lines = ["newsrec model benchmarks: \(report.threads) threads, median of \(report.repetitions)"]
        if !report.model.isEmpty {
            lines.append("")
            lines.append("encoder    part          mode     shape           median ms     min ms   GFLOP/s")
            for r in report.model {
                var line = r.encoder.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + r.part.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + r.mode.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + r.shape.padding(toLength: 14, withPad: " ", startingAt: 0)
                line += String(format: "%11.1f %10.1f %9.1f", (r.medianSeconds ?? 0) * 1e3, (r.minimumSeconds ?? 0) * 1e3,
                               r.gflops ?? 0)
                if let samples = r.samplesPerSecond { line += String(format: "  (%.1f samples/s)", samples) }
                lines.append(line)
            }
        }
        if !report.scaling.isEmpty {
            lines.append("")
            lines.append("one attention layer, fwd+bwd (ms; GFLOP/s in brackets)")
            let encoders = Array(Set(report.scaling.map(\.encoder))).sorted()
            lines.append("part                      " + encoders.map { $0.padding(toLength: 22, withPad: " ", startingAt: 0) }.joined())
            var parts: [String] = []
            for r in report.scaling where !parts.contains(r.part) { parts.append(r.part) }
            for part in parts {
                var line = part.padding(toLength: 26, withPad: " ", startingAt: 0)
                for encoder in encoders {
                    guard let r = report.scaling.first(where: { $0.part == part && $0.encoder == encoder }) else { continue }
                    let cell = r.medianSeconds.map { String(format: "%9.1f (%6.1f)", $0 * 1e3, r.gflops ?? 0) } ?? "  skipped"
                    line += cell.padding(toLength: 22, withPad: " ", startingAt: 0)
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}
