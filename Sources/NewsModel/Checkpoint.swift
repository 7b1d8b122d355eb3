import Foundation
import MIND

/// A model checkpoint directory: `model.safetensors` (F32, PyTorch names and layout), `config.json`,
/// `vocab.txt` (line i = token of id i, read and written by `MIND.Vocabulary`) and, when saved with the optimizer,
/// `optimizer.safetensors` (`adam.m.<name>`, `adam.v.<name>`, metadata `step`).
///
/// A training run directory holds several checkpoints and a one-line file `latest` naming the newest complete one;
/// every command that reads a model accepts either (`resolve`).
public enum Checkpoint {
    /// The file of a run directory that names its newest complete checkpoint.
    public static let latestFile = "latest"

    /// Saves `model` atomically: everything is written into a temporary directory next to `directory`, which then
    /// replaces `directory` by rename. An existing checkpoint is replaced only once the new one is complete.
    /// - Parameter includingOptimizer: also save Adam's state, for resuming training.
    public static func save(_ model: NRMSModel, to directory: URL, includingOptimizer: Bool = true) throws {
        let fileManager = FileManager.default
        let directory = directory.standardizedFileURL
        let parent = directory.deletingLastPathComponent()
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        let temporary = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(unique)")
        let retired = parent.appendingPathComponent(".\(directory.lastPathComponent).old-\(unique)")
        try fileManager.createDirectory(at: temporary, withIntermediateDirectories: false)
        do {
            try writeFiles(of: model, into: temporary, includingOptimizer: includingOptimizer)
            if fileManager.fileExists(atPath: directory.path) {
                try fileManager.moveItem(at: directory, to: retired)
                do {
                    try fileManager.moveItem(at: temporary, to: directory)
                } catch {
                    try? fileManager.moveItem(at: retired, to: directory)
                    throw error
                }
                try? fileManager.removeItem(at: retired)
            } else {
                try fileManager.moveItem(at: temporary, to: directory)
            }
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
    }

    /// Writes the checkpoint files of `model` into the existing directory `folder`.
    public static func writeFiles(of model: NRMSModel, into folder: URL, includingOptimizer: Bool = true) throws {
        model.synchronizeParameters()
        let parameters = model.parameters
        var weights = SafeTensors()
        weights.metadata = ["format": "pt"]
        for entry in parameters.layout.entries {
            weights.set(entry.name, shape: entry.shape,
                        values: UnsafeBufferPointer(start: parameters.values.pointer + entry.offset, count: entry.count))
        }
        try weights.encoded().write(to: folder.appendingPathComponent("model.safetensors"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (encoder.encode(model.configuration) + Data("\n".utf8)).write(to: folder.appendingPathComponent("config.json"))
        try model.vocabulary.write(to: folder.appendingPathComponent("vocab.txt"))
        if includingOptimizer {
            try model.optimizer.state().encoded().write(to: folder.appendingPathComponent("optimizer.safetensors"))
        }
    }

    /// The checkpoint directory `url` names: itself when it holds `config.json`, else the checkpoint its `latest`
    /// file names (a training run directory).
    /// - Throws: `ModelError.invalidFile` when `url` is neither, or `latest` names a missing checkpoint.
    public static func resolve(_ url: URL) throws -> URL {
        if let latest = try latest(in: url) { return latest }
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
            throw ModelError.invalidFile(path: url.path, expected: "a training run directory (with '\(latestFile)') "
                                         + "or a checkpoint directory (with config.json)")
        }
        return url
    }

    /// The checkpoint named by `runDirectory/latest`, or nil when there is no such file.
    /// - Throws: `ModelError.invalidFile` when `latest` does not name a checkpoint directory of the run.
    public static func latest(in runDirectory: URL, requiring marker: String = "config.json") throws -> URL? {
        let pointer = runDirectory.appendingPathComponent(latestFile)
        guard FileManager.default.fileExists(atPath: pointer.path) else { return nil }
        let name = try String(contentsOf: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let checkpoint = runDirectory.appendingPathComponent(name, isDirectory: true)
        guard !name.isEmpty, !name.contains("/"),
              FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent(marker).path) else {
            throw ModelError.invalidFile(path: pointer.path, expected: "the name of a complete checkpoint, found '\(name)'")
        }
        return checkpoint
    }

    /// Reads the configuration of a checkpoint directory.
    public static func configuration(at directory: URL) throws -> NRMSConfiguration {
        let url = directory.appendingPathComponent("config.json")
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelError.invalidFile(path: url.path, expected: "a readable config.json")
        }
        let configuration: NRMSConfiguration
        do {
            configuration = try JSONDecoder().decode(NRMSConfiguration.self, from: data)
        } catch {
            throw ModelError.invalidFile(path: url.path, expected: "the model configuration keys (\(error))")
        }
        try configuration.validate()
        return configuration
    }

    /// Loads a checkpoint directory (or a run directory's latest checkpoint), checking every tensor name and shape
    /// against the configuration (missing or extra tensors are errors). The optimizer state is restored when the
    /// checkpoint has one.
    public static func load(from url: URL) throws -> NRMSModel {
        let directory = try resolve(url)
        let configuration = try configuration(at: directory)
        let parameters = try NRMSParameters(configuration: configuration)
        try readWeights(from: directory.appendingPathComponent("model.safetensors"), into: parameters)
        let vocabularyURL = directory.appendingPathComponent("vocab.txt")
        let vocabulary: Vocabulary
        do {
            vocabulary = try Vocabulary(contentsOf: vocabularyURL)
        } catch let error as MINDFormatError {
            throw ModelError.invalidFile(path: vocabularyURL.path, expected: "a vocabulary (\(error.description))")
        }
        guard vocabulary.count == configuration.vocabularySize else {
            throw ModelError.invalidFile(path: vocabularyURL.path,
                                         expected: "\(configuration.vocabularySize) lines (vocab_size), found \(vocabulary.count)")
        }
        let adam = Adam(layout: parameters.layout)
        let optimizerURL = directory.appendingPathComponent("optimizer.safetensors")
        if FileManager.default.fileExists(atPath: optimizerURL.path) {
            try adam.restore(from: SafeTensors(contentsOf: optimizerURL), path: optimizerURL.path)
        }
        return try NRMSModel(parameters: parameters, vocabulary: vocabulary, optimizer: adam)
    }

    /// Whether the checkpoint directory holds an optimizer state.
    public static func hasOptimizerState(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("optimizer.safetensors").path)
    }

    private static func readWeights(from url: URL, into parameters: NRMSParameters) throws {
        let model = try SafeTensors(contentsOf: url)
        for entry in parameters.layout.entries {
            guard let stored = model[entry.name] else {
                throw ModelError.tensorMismatch(path: url.path, name: entry.name, expected: "present, shape \(entry.shape)")
            }
            guard stored.shape == entry.shape else {
                throw ModelError.tensorMismatch(path: url.path, name: entry.name,
                                                expected: "shape \(entry.shape), found \(stored.shape)")
            }
            stored.values.withUnsafeBufferPointer {
                (parameters.values.pointer + entry.offset).update(from: $0.baseAddress!, count: entry.count)
            }
        }
        if let extra = model.names.first(where: { parameters.layout.entry(named: $0) == nil }) {
            throw ModelError.tensorMismatch(path: url.path, name: extra,
                                            expected: "no such parameter in a \(parameters.configuration.encoder) model")
        }
    }
}
