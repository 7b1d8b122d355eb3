import Basics
import Dispatch
import Foundation
import Metrics
import NewsModel

/// A progress report after an optimizer step.
public struct TrainingProgress: Sendable {
    /// Steps done in total.
    public var step: Int
    /// 1-based epoch.
    public var epoch: Int
    public var epochs: Int
    public var batchInEpoch: Int
    public var batchesPerEpoch: Int
    /// Mean loss of this step's batch.
    public var loss: Float
    /// Throughput since the (resumed) run started.
    public var samplesPerSecond: Double
    /// Seconds since the run started.
    public var elapsed: Double
    /// Estimated seconds to the end of the run (training steps only, dev evaluation excluded).
    public var remaining: Double
}

/// What a finished (or stopped) run reports.
public struct TrainingOutcome: Sendable {
    public var state: TrainingState
    /// The checkpoint holding the final parameters.
    public var checkpoint: URL
    /// Steps run by this invocation.
    public var stepsRun: Int
    /// Dev metrics after each epoch completed by this invocation.
    public var devMetrics: [MetricsSummary]
    public var seconds: Double
}

/// The training loop: per-epoch sampling and shuffling, data-parallel steps, dev evaluation, checkpoints, log.
///
/// Deterministic for a seed and a `Parallelism`: samples come from `(seed, epoch)`, each worker's dropout seed
/// from `(seed, step, first sample of its share)`, and the workers' shares of a batch are fixed by the thread count.
/// Resuming from a checkpoint continues exactly where it was written (mid-epoch too).
public final class Trainer<Model: TrainableModel> {
    public let model: Model
    public let corpus: TrainingCorpus
    public let options: TrainingOptions
    public let parallelism: Parallelism
    public let directory: CheckpointDirectory
    /// Called after every step (from the training thread).
    public var onProgress: ((TrainingProgress) -> Void)?
    /// Called after each epoch with its log record.
    public var onEpoch: ((TrainingLogEntry.EpochRecord) -> Void)?
    /// Writes extra files (e.g. the vocabulary and model configuration) into each new checkpoint directory.
    public var writeExtraFiles: ((URL) throws -> Void)?
    /// Whether to evaluate on the dev split after each epoch (when it is labelled).
    public var evaluatesDev = true
    /// Also write a checkpoint mid-epoch when this many seconds passed since the last one (nil: epochs only).
    public var checkpointInterval: Double?

    private let workspaces: [Model.Workspace]
    private var builders: [BatchBuilder]
    private var batches: [Batch]

    public init(model: Model, corpus: TrainingCorpus, options: TrainingOptions, parallelism: Parallelism,
                directory: URL) {
        self.model = model
        self.corpus = corpus
        self.options = options
        self.parallelism = parallelism
        self.directory = CheckpointDirectory(url: directory)
        self.workspaces = (0..<parallelism.workers).map { _ in model.makeWorkspace(threads: parallelism.blasThreads) }
        self.builders = Array(repeating: BatchBuilder(newsCount: corpus.news.count), count: parallelism.workers)
        self.batches = Array(repeating: Batch(), count: parallelism.workers)
    }

    /// The training log of this run's directory.
    public var log: TrainingLog { TrainingLog(url: directory.url.appendingPathComponent("train-log.jsonl")) }
    /// The report page of this run's directory.
    public var reportURL: URL { directory.url.appendingPathComponent("report.html") }

    /// Trains until `options.epochs` are done or `options.maxSteps` is reached.
    /// - Parameter resume: continue from the latest checkpoint in the directory; without it the directory must
    ///   not hold a checkpoint yet.
    /// - Throws: `TrainingDataError` for a missing training split, a refused resume, or unreadable files.
    public func run(resume: Bool) throws -> TrainingOutcome {
        guard let train = corpus.splits[.train], train.count > 0 else {
            throw TrainingDataError(source: "store", expected: "a train split with impressions (ingest one first)")
        }
        guard options.batchSize > 0, options.epochs >= 0 else {
            throw TrainingDataError(source: "options", expected: "a positive batch size and epochs ≥ 0")
        }
        var state = TrainingState(completedEpochs: 0, batchesInEpoch: 0, step: 0, options: options,
                                  parallelism: parallelism)
        var checkpoint: URL
        if let latest = try directory.latest() {
            guard resume else {
                throw TrainingDataError(source: directory.url.path,
                                        expected: "no checkpoint (one exists: use --resume, or another directory)")
            }
            let saved = try CheckpointDirectory.state(of: latest)
            guard options.canResume(saved.options) else {
                throw TrainingDataError(source: latest.path, expected: "the same batch size, learning rate, "
                    + "negatives and seed as the run being resumed")
            }
            try model.load(from: latest)
            state.completedEpochs = saved.completedEpochs
            state.batchesInEpoch = saved.batchesInEpoch
            state.step = saved.step
            try log.truncate(after: saved.step)
            checkpoint = latest
        } else {
            checkpoint = try saveCheckpoint(state)
        }

        let dev = corpus.splits[.dev].flatMap { $0.isLabelled && evaluatesDev ? $0 : nil }
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let samplesPerEpoch = try SampleSet(impressions: train, negatives: options.negatives, seed: options.seed,
                                            epoch: 0).count
        let batchesPerEpoch = (samplesPerEpoch + options.batchSize - 1) / options.batchSize
        let totalSteps = min(options.maxSteps ?? Int.max, batchesPerEpoch * options.epochs)
        var stepsRun = 0
        var samplesRun = 0
        var devMetrics: [MetricsSummary] = []
        var pending: [TrainingLogEntry] = []
        var lastFlush = elapsed()
        var lastCheckpoint = lastFlush
        parallelism.activate()

        epochLoop: while state.completedEpochs < options.epochs {
            if let maxSteps = options.maxSteps, state.step >= maxSteps { break }
            let epoch = state.completedEpochs
            let samples = try SampleSet(impressions: train, negatives: options.negatives, seed: options.seed,
                                        epoch: epoch)
            var epochLossSum = 0.0
            var epochSteps = 0
            while state.batchesInEpoch < batchesPerEpoch {
                if let maxSteps = options.maxSteps, state.step >= maxSteps { break epochLoop }
                let lower = state.batchesInEpoch * options.batchSize
                let range = lower..<min(lower + options.batchSize, samples.count)
                let loss = try step(samples: samples, range: range, impressions: train, step: state.step)
                state.step += 1
                state.batchesInEpoch += 1
                stepsRun += 1
                samplesRun += range.count
                epochLossSum += Double(loss)
                epochSteps += 1
                let time = elapsed()
                let rate = Double(samplesRun) / max(time, 1e-9)
                pending.append(.step(.init(step: state.step, epoch: epoch + 1, loss: Double(loss),
                                           samplesPerSecond: rate, time: time)))
                if let interval = checkpointInterval, time - lastCheckpoint >= interval,
                   state.batchesInEpoch < batchesPerEpoch {
                    // The log is written first: a run killed in between has logged steps past its checkpoint,
                    // which a resume trims, never a gap.
                    try log.append(pending)
                    pending.removeAll()
                    checkpoint = try saveCheckpoint(state)
                    lastCheckpoint = elapsed()
                }
                if time - lastFlush > 5 {
                    try log.append(pending)
                    pending.removeAll()
                    lastFlush = time
                }
                let remainingSteps = max(0, totalSteps - state.step)
                onProgress?(TrainingProgress(
                    step: state.step, epoch: epoch + 1, epochs: options.epochs, batchInEpoch: state.batchesInEpoch,
                    batchesPerEpoch: batchesPerEpoch, loss: loss, samplesPerSecond: rate, elapsed: time,
                    remaining: Double(remainingSteps) * time / Double(stepsRun)))
            }
            state.completedEpochs += 1
            state.batchesInEpoch = 0
            var metrics: MetricsSummary?
            if let dev {
                model.synchronizeParameters()
                metrics = try Evaluator(model: model, parallelism: parallelism)
                    .score(dev, news: corpus.news).metrics(for: dev)
                parallelism.activate()
            }
            if let metrics { devMetrics.append(metrics) }
            let record = TrainingLogEntry.EpochRecord(
                epoch: epoch + 1, step: state.step, trainLoss: epochSteps > 0 ? epochLossSum / Double(epochSteps) : .nan,
                dev: metrics, time: elapsed())
            pending.append(.epoch(record))
            try log.append(pending)
            pending.removeAll()
            checkpoint = try saveCheckpoint(state)
            lastCheckpoint = elapsed()
            try writeReport()
            onEpoch?(record)
        }
        try log.append(pending)
        if try CheckpointDirectory.state(of: checkpoint) != state {
            checkpoint = try saveCheckpoint(state)
        }
        try writeReport()
        model.synchronizeParameters()
        return TrainingOutcome(state: state, checkpoint: checkpoint, stepsRun: stepsRun, devMetrics: devMetrics,
                               seconds: elapsed())
    }

    /// One optimizer step over the samples `range`: the batch is split into one contiguous share per worker,
    /// each share's loss and gradients (divided by the whole batch size) computed in parallel, then one update
    /// along their sum.
    /// - Returns: the mean loss over the batch.
    func step(samples: SampleSet, range: Range<Int>, impressions: ImpressionTable, step: Int) throws -> Float {
        let workers = min(parallelism.workers, range.count)
        let shares = (0..<workers).map { worker in
            (range.lowerBound + worker * range.count / workers)..<(range.lowerBound + (worker + 1) * range.count / workers)
        }
        var losses = [Float](repeating: 0, count: workers)
        let seed = options.seed
        let news = corpus.news
        let historyLength = model.historyLength
        let model = self.model
        nonisolated(unsafe) let spaces = workspaces
        let failures = FirstError()
        builders.withUnsafeMutableBufferPointer { builderBuffer in
            batches.withUnsafeMutableBufferPointer { batchBuffer in
                losses.withUnsafeMutableBufferPointer { lossBuffer in
                    nonisolated(unsafe) let builders = builderBuffer
                    nonisolated(unsafe) let batches = batchBuffer
                    nonisolated(unsafe) let losses = lossBuffer
                    let work = { (worker: Int) in
                        let share = shares[worker]
                        builders[worker].build(&batches[worker], samples: samples, range: share,
                                               impressions: impressions, news: news, historyLength: historyLength)
                        var stream = SplitMix64(seed: seed, keys: StreamPurpose.dropout.rawValue, UInt64(step),
                                                  UInt64(share.lowerBound))
                        do {
                            losses[worker] = try model.lossAndGradients(
                                batches[worker], workspace: spaces[worker], dropoutSeed: stream.next(),
                                lossDivisor: range.count)
                        } catch {
                            failures.record(error)
                        }
                    }
                    parallelForWorkers(workers, threads: workers) { worker, _ in work(worker) }
                }
            }
        }
        try failures.rethrow()
        model.applyGradients(from: Array(workspaces.prefix(workers)), learningRate: options.learningRate)
        return losses.reduce(0, +)
    }

    private func saveCheckpoint(_ state: TrainingState) throws -> URL {
        try directory.write(state: state) { folder in
            try model.save(to: folder)
            try writeExtraFiles?(folder)
        }
    }

    private func writeReport() throws {
        let page = TrainingReport.html(entries: try log.read())
        try Data(page.utf8).write(to: reportURL, options: .atomic)
    }
}
