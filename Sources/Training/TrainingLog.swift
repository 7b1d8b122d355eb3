import Basics
import Foundation
import Metrics

/// One line of the training log (`train-log.jsonl` in the checkpoint directory).
public enum TrainingLogEntry: Codable, Sendable, Equatable {
    /// After an optimizer step.
    case step(StepRecord)
    /// After an epoch (with dev metrics when a dev split was available).
    case epoch(EpochRecord)

    public struct StepRecord: Codable, Sendable, Equatable {
        /// Optimizer steps done so far (1-based).
        public var step: Int
        /// Epoch of the step (1-based).
        public var epoch: Int
        /// Mean loss over the step's batch.
        public var loss: Double
        /// Throughput since the previous logged step.
        public var samplesPerSecond: Double
        /// Seconds since the run (or resumed run) started.
        public var time: Double

        public init(step: Int, epoch: Int, loss: Double, samplesPerSecond: Double, time: Double) {
            self.step = step
            self.epoch = epoch
            self.loss = loss
            self.samplesPerSecond = samplesPerSecond
            self.time = time
        }

        enum CodingKeys: String, CodingKey {
            case step, epoch, loss, samplesPerSecond = "samples_per_second", time
        }
    }

    public struct EpochRecord: Codable, Sendable, Equatable {
        public var epoch: Int
        /// Optimizer steps done at the end of the epoch.
        public var step: Int
        /// Mean training loss over the epoch's steps (of this run).
        public var trainLoss: Double
        /// Dev metrics, when a labelled dev split is in the store.
        public var dev: MetricsSummary?
        /// Seconds since the run started.
        public var time: Double

        public init(epoch: Int, step: Int, trainLoss: Double, dev: MetricsSummary?, time: Double) {
            self.epoch = epoch
            self.step = step
            self.trainLoss = trainLoss
            self.dev = dev
            self.time = time
        }

        enum CodingKeys: String, CodingKey { case epoch, step, trainLoss = "train_loss", dev, time }
    }

    enum CodingKeys: String, CodingKey { case kind }

    public init(from decoder: any Decoder) throws {
        let kind = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .kind)
        switch kind {
        case "step": self = .step(try StepRecord(from: decoder))
        case "epoch": self = .epoch(try EpochRecord(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.kind],
                                                    debugDescription: "kind 'step' or 'epoch', found '\(kind)'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .step(let record):
            try container.encode("step", forKey: .kind)
            try record.encode(to: encoder)
        case .epoch(let record):
            try container.encode("epoch", forKey: .kind)
            try record.encode(to: encoder)
        }
    }

    /// The step this entry belongs to.
    public var step: Int {
        switch self {
        case .step(let record): record.step
        case .epoch(let record): record.step
        }
    }
}

/// The JSON-lines training log: appends entries, reads them back, and trims to a checkpoint on resume.
public struct TrainingLog {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// Every entry in the file, in order (an absent file reads as empty).
    /// - Throws: `TrainingDataError` naming the line when a line is not a log entry.
    public func read() throws -> [TrainingLogEntry] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        var entries: [TrainingLogEntry] = []
        let decoder = JSONDecoder()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            do {
                entries.append(try decoder.decode(TrainingLogEntry.self, from: Data(line.utf8)))
            } catch {
                throw TrainingDataError(source: "\(url.path):\(number + 1)",
                                        expected: "a JSON training-log entry (\(error))")
            }
        }
        return entries
    }

    /// Appends entries, one JSON object per line.
    public func append(_ entries: [TrainingLogEntry]) throws {
        guard !entries.isEmpty else { return }
        let data = try Self.encode(entries)
        if !FileManager.default.fileExists(atPath: url.path) {
            try AtomicFileWriter.write(data, to: url)
            return
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }

    /// Rewrites the log (atomically) without the entries after `step`, so a resumed run does not repeat steps.
    public func truncate(after step: Int) throws {
        let kept = try read().filter { $0.step <= step }
        try AtomicFileWriter.write(Self.encode(kept), to: url)
    }

    static func encode(_ entries: [TrainingLogEntry]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for entry in entries {
            data.append(try encoder.encode(entry))
            data.append(0x0A)
        }
        return data
    }
}
