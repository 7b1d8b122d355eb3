import Basics
import Distributed
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

/// The training loop: per-epoch sampling and shuffling, sharded steps, dev evaluation, checkpoints, log.
///
/// Every step cuts its batch into `options.shards` shards; the shards are spread over the processes of `group` and
/// the threads of each (`ShardPlan`), and their gradients are combined in the fixed shard tree (`TrainingStep`).
/// Sampling, shuffling and dropout draw from streams keyed by (seed, epoch, step, shard), never by process or
/// thread: the parameters after a step are the same bits whatever the layout, and a run resumed on another layout
/// continues exactly. Rank 0 alone writes checkpoints, the training log and the report.
public final class Trainer<Model: TrainableModel> {
    public let model: Model
    public let corpus: TrainingCorpus
    public let options: TrainingOptions
    public let parallelism: Parallelism
    /// The processes training together (one without MPI).
    public let group: ProcessGroup
    public let directory: CheckpointDirectory
    /// Called after every step (from the training thread, on rank 0 only).
    public var onProgress: ((TrainingProgress) -> Void)?
    /// Called after each epoch with its log record (rank 0 only).
    public var onEpoch: ((TrainingLogEntry.EpochRecord) -> Void)?
    /// Whether to evaluate on the dev split after each epoch (when it is labelled; rank 0 only).
    public var evaluatesDev = true
    /// Also write a checkpoint mid-epoch when this many seconds passed since the last one (nil: epochs only).
    public var checkpointInterval: Double?

    private let stepper: TrainingStep<Model>

    /// - Throws: `TrainingDataError` when `options.shards` is not positive.
    public init(model: Model, corpus: TrainingCorpus, options: TrainingOptions, parallelism: Parallelism,
                directory: URL, group: ProcessGroup = .singleProcess()) throws {
        self.model = model
        self.corpus = corpus
        self.options = options
        self.parallelism = parallelism
        self.group = group
        self.directory = CheckpointDirectory(url: directory)
        stepper = try TrainingStep(model: model, corpus: corpus, options: options, parallelism: parallelism,
                                   group: group)
    }

    /// Whether this process writes the run's files (rank 0).
    public var isLeader: Bool { group.rank == 0 }
    /// The training log of this run's directory.
    public var log: TrainingLog { TrainingLog(url: directory.url.appendingPathComponent("train-log.jsonl")) }
    /// The report page of this run's directory.
    public var reportURL: URL { directory.url.appendingPathComponent("report.html") }
    /// Clicks of the train split left out because no news file defines the clicked news (known once `run` started).
    public private(set) var droppedClicks = 0
    /// Bytes this process sent and received in the gradient exchanges of the steps it ran, and their time.
    public var communication: CommunicationTotals { stepper.communication }
    /// Where this process's steps spent their time, and their shards' gradient sizes.
    public var stepProfile: StepProfile { stepper.profile }

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
        var (run, firstEpochSamples) = try start(resume: resume, train: train)
        parallelism.activate()
        epochs: while run.state.completedEpochs < options.epochs {
            let samples = try firstEpochSamples.take() ?? drawSamples(of: train, epoch: run.state.completedEpochs)
            while run.state.batchesInEpoch < run.batchesPerEpoch {
                if let maxSteps = options.maxSteps, run.state.step >= maxSteps { break epochs }
                let lower = run.state.batchesInEpoch * options.batchSize
                let range = lower..<min(lower + options.batchSize, samples.count)
                let loss = try stepper.step(samples: samples, range: range, impressions: train, step: run.state.step)
                try finishStep(&run, loss: loss, samples: range.count)
            }
            try finishEpoch(&run)
        }
        return try finish(&run)
    }

    // MARK: - The run's bookkeeping

    /// Where a run stands: the saved state, counters of this invocation and the log lines not yet written.
    struct RunProgress {
        var state: TrainingState
        var checkpoint: URL?
        let batchesPerEpoch: Int, totalSteps: Int
        let started = ContinuousClock.now
        var stepsRun = 0, samplesRun = 0, epochSteps = 0
        var epochLossSum = 0.0
        var devMetrics: [MetricsSummary] = []
        var pending: [TrainingLogEntry] = []
        var lastFlush = 0.0, lastCheckpoint = 0.0

        var elapsed: Double { (ContinuousClock.now - started).inSeconds }
    }

    /// A fresh run (with its step-0 checkpoint) or the state of the latest checkpoint when resuming, and the
    /// samples of epoch 0 (drawn to count the batches of an epoch) when the run starts in it, else nil.
    private func start(resume: Bool, train: ImpressionTable) throws -> (RunProgress, firstEpochSamples: SampleSet?) {
        let first = try drawSamples(of: train, epoch: 0)
        droppedClicks = first.droppedClicks
        let samplesPerEpoch = first.count
        let batchesPerEpoch = (samplesPerEpoch + options.batchSize - 1) / options.batchSize
        var run = RunProgress(
            state: TrainingState(completedEpochs: 0, batchesInEpoch: 0, step: 0, options: options,
                                 parallelism: parallelism, processes: group.size),
            batchesPerEpoch: batchesPerEpoch,
            totalSteps: min(options.maxSteps ?? Int.max, batchesPerEpoch * options.epochs))
        if let saved = try CheckpointTransfer(group: group, directory: directory).latest(resume: resume, model: model) {
            guard options.canResume(saved.options) else {
                throw TrainingDataError(source: directory.url.path, expected: "the same batch size, learning rate, "
                    + "negatives, seed and shards as the run being resumed")
            }
            run.state.completedEpochs = saved.completedEpochs
            run.state.batchesInEpoch = saved.batchesInEpoch
            run.state.step = saved.step
            if isLeader {
                try log.truncate(after: saved.step)
                run.checkpoint = try directory.latest()
            }
        } else {
            run.checkpoint = try saveCheckpoint(run.state)
        }
        return (run, run.state.completedEpochs == 0 ? first : nil)
    }

    /// The training samples of `epoch` (the same for every process: keyed by seed and epoch).
    private func drawSamples(of train: ImpressionTable, epoch: Int) throws -> SampleSet {
        try SampleSet(impressions: train, negatives: options.negatives, seed: options.seed, epoch: epoch,
                      undefined: corpus.news.undefinedRows)
    }

    /// After a step: counters, the log line, a mid-epoch checkpoint when due, progress.
    private func finishStep(_ run: inout RunProgress, loss: Float, samples: Int) throws {
        run.state.step += 1
        run.state.batchesInEpoch += 1
        run.stepsRun += 1
        run.samplesRun += samples
        run.epochLossSum += Double(loss)
        run.epochSteps += 1
        guard isLeader else { return }
        let time = run.elapsed, rate = Double(run.samplesRun) / max(time, 1e-9)
        let epoch = run.state.completedEpochs + 1
        run.pending.append(.step(.init(step: run.state.step, epoch: epoch, loss: Double(loss),
                                       samplesPerSecond: rate, time: time)))
        if let interval = checkpointInterval, time - run.lastCheckpoint >= interval,
           run.state.batchesInEpoch < run.batchesPerEpoch {
            // The log is written first: a run killed in between has logged steps past its checkpoint, which a
            // resume trims, never a gap.
            try flushLog(&run)
            run.checkpoint = try saveCheckpoint(run.state)
            run.lastCheckpoint = run.elapsed
        }
        if time - run.lastFlush > 5 {
            try flushLog(&run)
            run.lastFlush = time
        }
        onProgress?(TrainingProgress(
            step: run.state.step, epoch: epoch, epochs: options.epochs, batchInEpoch: run.state.batchesInEpoch,
            batchesPerEpoch: run.batchesPerEpoch, loss: loss, samplesPerSecond: rate, elapsed: time,
            remaining: Double(max(0, run.totalSteps - run.state.step)) * time / Double(run.stepsRun)))
    }

    /// After an epoch: dev metrics, the epoch's log line, a checkpoint, the report.
    private func finishEpoch(_ run: inout RunProgress) throws {
        let epoch = run.state.completedEpochs + 1
        run.state.completedEpochs += 1
        run.state.batchesInEpoch = 0
        defer { run.epochLossSum = 0; run.epochSteps = 0 }
        guard isLeader else { return }
        var metrics: MetricsSummary?
        if evaluatesDev, let dev = corpus.splits[.dev], dev.isLabelled {
            model.synchronizeParameters()
            metrics = try Evaluator(model: model, parallelism: parallelism).evaluate(dev, news: corpus.news).metrics
            parallelism.activate()
        }
        if let metrics { run.devMetrics.append(metrics) }
        let record = TrainingLogEntry.EpochRecord(
            epoch: epoch, step: run.state.step,
            trainLoss: run.epochSteps > 0 ? run.epochLossSum / Double(run.epochSteps) : .nan, dev: metrics,
            time: run.elapsed)
        run.pending.append(.epoch(record))
        try flushLog(&run)
        run.checkpoint = try saveCheckpoint(run.state)
        run.lastCheckpoint = run.elapsed
        try writeReport()
        onEpoch?(record)
    }

    /// The end of a run: the last log lines, a checkpoint of the final state, the report.
    private func finish(_ run: inout RunProgress) throws -> TrainingOutcome {
        model.synchronizeParameters()
        if isLeader {
            try flushLog(&run)
            if let checkpoint = run.checkpoint, try CheckpointDirectory.state(of: checkpoint) != run.state {
                run.checkpoint = try saveCheckpoint(run.state)
            }
            try writeReport()
        }
        return TrainingOutcome(state: run.state, checkpoint: run.checkpoint ?? directory.url, stepsRun: run.stepsRun,
                               devMetrics: run.devMetrics, seconds: run.elapsed)
    }

    private func flushLog(_ run: inout RunProgress) throws {
        try log.append(run.pending)
        run.pending.removeAll()
    }

    /// Writes a checkpoint of `state` (rank 0; other ranks write nothing and get nil).
    private func saveCheckpoint(_ state: TrainingState) throws -> URL? {
        guard isLeader else { return nil }
        return try directory.write(state: state) { folder in try model.save(to: folder) }
    }

    private func writeReport() throws {
        let page = TrainingReport.html(entries: try log.read())
        try AtomicFileWriter.write(Data(page.utf8), to: reportURL)
    }
}
