import Basics
import Foundation
import NewsModel

/// Hyperparameters of the training loop (the model's own live in its configuration).
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var negatives: Int
    public var seed: UInt64
    /// Stop (with a checkpoint) after this many optimizer steps in total; nil = run every epoch.
    public var maxSteps: Int?
    /// S: the pieces each step's batch is cut into. Their gradients are combined in a fixed tree over the shards
    /// (`Distributed.ReductionTree`), so the result does not depend on how many processes and threads share them;
    /// S bounds that parallelism (at most S workers in all).
    public var shards: Int

    /// The default number of shards: 1, the whole batch (each news encoded once per step; one process, whose
    /// threads split the layers). Several processes need at least one shard each.
    public static let defaultShards = 1

    public init(epochs: Int = 3, batchSize: Int = 64, learningRate: Float = 1e-4, negatives: Int = 4,
                seed: UInt64 = 42, maxSteps: Int? = nil, shards: Int = TrainingOptions.defaultShards) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.negatives = negatives
        self.seed = seed
        self.maxSteps = maxSteps
        self.shards = shards
    }

    /// Whether a run with `self` may continue a run made with `other` (only `epochs` and `maxSteps` may change;
    /// the layout of processes and threads is free).
    public func canResume(_ other: TrainingOptions) -> Bool {
        batchSize == other.batchSize && learningRate == other.learningRate && negatives == other.negatives
            && seed == other.seed && shards == other.shards
    }

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", learningRate = "learning_rate", negatives, seed, maxSteps = "max_steps"
        case shards
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try values.decode(Int.self, forKey: .epochs)
        batchSize = try values.decode(Int.self, forKey: .batchSize)
        learningRate = try values.decode(Float.self, forKey: .learningRate)
        negatives = try values.decode(Int.self, forKey: .negatives)
        seed = try values.decode(UInt64.self, forKey: .seed)
        maxSteps = try values.decodeIfPresent(Int.self, forKey: .maxSteps)
        // Checkpoints written before sharding have no `shards`: they resume with the default.
        shards = try values.decodeIfPresent(Int.self, forKey: .shards) ?? Self.defaultShards
    }
}

/// Where a run stands, saved with every checkpoint (`training-state.json`).
public struct TrainingState: Codable, Sendable, Equatable {
    /// Epochs fully trained.
    public var completedEpochs: Int
    /// Batches done in the epoch after `completedEpochs` (0 at an epoch boundary).
    public var batchesInEpoch: Int
    /// Optimizer steps done in total.
    public var step: Int
    public var options: TrainingOptions
    /// The threads of the process that wrote the checkpoint (informational: any layout may resume).
    public var parallelism: Parallelism
    /// The number of processes of the run that wrote the checkpoint (informational; 1 without MPI).
    public var processes: Int

    enum CodingKeys: String, CodingKey {
        case completedEpochs = "completed_epochs", batchesInEpoch = "batches_in_epoch", step, options, parallelism
        case processes
    }
}

extension TrainingState {
    /// Decodes a saved state; states written before multi-process training have no `processes` (1).
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        completedEpochs = try values.decode(Int.self, forKey: .completedEpochs)
        batchesInEpoch = try values.decode(Int.self, forKey: .batchesInEpoch)
        step = try values.decode(Int.self, forKey: .step)
        options = try values.decode(TrainingOptions.self, forKey: .options)
        parallelism = try values.decode(Parallelism.self, forKey: .parallelism)
        processes = try values.decodeIfPresent(Int.self, forKey: .processes) ?? 1
    }
}

/// The checkpoints of a training run in one directory.
///
/// Each checkpoint is a complete subdirectory `checkpoint-e<epochs>-s<step>/` (model files from `TrainableModel.save`,
/// `training-state.json`, and any extra files such as `vocab.txt`). It is written under a temporary name and
/// renamed into place, then the one-line file `latest` is replaced atomically to name it; only then are older
/// checkpoints (all but the previous one) removed. A process killed at any moment leaves `latest` naming a
/// complete checkpoint.
public struct CheckpointDirectory {
    public static let stateFile = "training-state.json"
    public static let latestFile = Checkpoint.latestFile

    public let url: URL

    public init(url: URL) { self.url = url }

    /// The newest complete checkpoint, or nil when the directory holds none.
    /// - Throws: `ModelError.invalidFile` when `latest` names a missing checkpoint.
    public func latest() throws -> URL? {
        try Checkpoint.latest(in: url, requiring: Self.stateFile)
    }

    /// The state saved in `checkpoint`.
    public static func state(of checkpoint: URL) throws -> TrainingState {
        let file = checkpoint.appendingPathComponent(stateFile)
        do {
            return try JSONDecoder().decode(TrainingState.self, from: Data(contentsOf: file))
        } catch {
            throw TrainingDataError(source: file.path, expected: "a training state JSON object (\(error))")
        }
    }

    /// Writes a checkpoint atomically and makes it the latest; returns its directory.
    /// - Parameter writeFiles: writes the model and any extra files into the (new, empty) directory it gets.
    @discardableResult
    public func write(state: TrainingState, writeFiles: (URL) throws -> Void) throws -> URL {
        let manager = FileManager.default
        try manager.createDirectory(at: url, withIntermediateDirectories: true)
        let previous = try? latest()
        let name = String(format: "checkpoint-e%03d-s%08d", state.completedEpochs, state.step)
        // The same epoch and step hold the same parameters: the existing checkpoint stays as it is.
        if let previous, previous.lastPathComponent == name { return previous }
        let partial = url.appendingPathComponent(".partial-\(name)-\(getpid())")
        try? manager.removeItem(at: partial)
        try manager.createDirectory(at: partial, withIntermediateDirectories: false)
        do {
            try writeFiles(partial)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFileWriter.write(encoder.encode(state), to: partial.appendingPathComponent(Self.stateFile))
        } catch {
            try? manager.removeItem(at: partial)
            throw error
        }
        let final = url.appendingPathComponent(name, isDirectory: true)
        try? manager.removeItem(at: final)
        try manager.moveItem(at: partial, to: final)
        try AtomicFileWriter.write(Data((name + "\n").utf8), to: url.appendingPathComponent(Self.latestFile))
        let keep: Set<String> = [name, previous?.lastPathComponent ?? name]
        // Old checkpoints, and what an interrupted save left behind (its temporary directories are hidden and
        // named after `.partial-…`).
        for item in (try? manager.contentsOfDirectory(atPath: url.path)) ?? []
        where (item.hasPrefix("checkpoint-") && !keep.contains(item))
            || (item.hasPrefix(".") && item.contains("partial-checkpoint-")) {
            try? manager.removeItem(at: url.appendingPathComponent(item))
        }
        return final
    }
}
