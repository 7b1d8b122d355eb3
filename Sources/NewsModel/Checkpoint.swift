import Foundation

/// A model checkpoint directory: `model.safetensors` (F32, PyTorch names and layout), `config.json`,
/// `vocab.txt` (line i = token of id i) and, when saved with an optimizer, `optimizer.safetensors`
/// (`adam.m.<name>`, `adam.v.<name>`, metadata `step`).
public enum Checkpoint {
    /// What `load` returns.
    public struct Contents {
        public var parameters: NRMSParameters
        /// Tokens by id (`[PAD]`, `[UNK]`, …): hand to `MIND.Vocabulary(tokens:)`.
        public var vocabulary: [String]
        /// The optimizer state, when the checkpoint has one.
        public var optimizer: Adam?
    }

    /// Saves atomically: everything is written into a temporary directory next to `directory`, which then
    /// replaces `directory` by rename. An existing checkpoint is replaced only once the new one is complete.
    ///
    /// - Parameters:
    ///   - vocabulary: `configuration.vocabularySize` tokens, without newlines.
    ///   - optimizer: also save its state, for resuming training.
    public static func save(parameters: NRMSParameters, vocabulary: [String], optimizer: Adam? = nil,
                            to directory: URL) throws {
        let configuration = parameters.configuration
        guard vocabulary.count == configuration.vocabularySize else {
            throw ModelError.invalidConfiguration("vocabulary has \(vocabulary.count) tokens, vocab_size is \(configuration.vocabularySize)")
        }
        if let bad = vocabulary.first(where: { $0.contains("\n") || $0.contains("\r") }) {
            throw ModelError.invalidConfiguration("vocabulary token \(bad.debugDescription) contains a line break")
        }
        let fileManager = FileManager.default
        let directory = directory.standardizedFileURL
        let parent = directory.deletingLastPathComponent()
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        let temporary = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(unique)")
        let retired = parent.appendingPathComponent(".\(directory.lastPathComponent).old-\(unique)")
        try fileManager.createDirectory(at: temporary, withIntermediateDirectories: false)
        do {
            var model = SafeTensors()
            model.metadata = ["format": "pt"]
            for entry in parameters.layout.entries {
                model.set(entry.name, shape: entry.shape,
                          values: UnsafeBufferPointer(start: parameters.values.pointer + entry.offset, count: entry.count))
            }
            try model.encoded().write(to: temporary.appendingPathComponent("model.safetensors"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try (encoder.encode(configuration) + Data("\n".utf8)).write(to: temporary.appendingPathComponent("config.json"))
            try Data(vocabulary.map { $0 + "\n" }.joined().utf8).write(to: temporary.appendingPathComponent("vocab.txt"))
            if let optimizer {
                try optimizer.state().encoded().write(to: temporary.appendingPathComponent("optimizer.safetensors"))
            }
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

    /// Loads a checkpoint directory, checking every tensor name and shape against the configuration
    /// (missing or extra tensors are errors).
    public static func load(from directory: URL) throws -> Contents {
        let configuration = try configuration(at: directory)
        let parameters = try NRMSParameters(configuration: configuration)
        let modelURL = directory.appendingPathComponent("model.safetensors")
        let model = try SafeTensors(contentsOf: modelURL)
        for entry in parameters.layout.entries {
            guard let stored = model[entry.name] else {
                throw ModelError.tensorMismatch(path: modelURL.path, name: entry.name, expected: "present, shape \(entry.shape)")
            }
            guard stored.shape == entry.shape else {
                throw ModelError.tensorMismatch(path: modelURL.path, name: entry.name,
                                                expected: "shape \(entry.shape), found \(stored.shape)")
            }
            stored.values.withUnsafeBufferPointer {
                (parameters.values.pointer + entry.offset).update(from: $0.baseAddress!, count: entry.count)
            }
        }
        if let extra = model.names.first(where: { parameters.layout.entry(named: $0) == nil }) {
            throw ModelError.tensorMismatch(path: modelURL.path, name: extra, expected: "no such parameter in a \(configuration.encoder) model")
        }
        let vocabularyURL = directory.appendingPathComponent("vocab.txt")
        guard let text = try? String(contentsOf: vocabularyURL, encoding: .utf8) else {
            throw ModelError.invalidFile(path: vocabularyURL.path, expected: "a readable UTF-8 vocab.txt")
        }
        var tokens = text.components(separatedBy: "\n")
        if tokens.last == "" { tokens.removeLast() }
        guard tokens.count == configuration.vocabularySize else {
            throw ModelError.invalidFile(path: vocabularyURL.path,
                                         expected: "\(configuration.vocabularySize) lines (vocab_size), found \(tokens.count)")
        }
        guard tokens.count >= 2, tokens[0] == "[PAD]", tokens[1] == "[UNK]" else {
            throw ModelError.invalidFile(path: vocabularyURL.path, expected: "[PAD] on line 1 and [UNK] on line 2")
        }
        var optimizer: Adam?
        let optimizerURL = directory.appendingPathComponent("optimizer.safetensors")
        if FileManager.default.fileExists(atPath: optimizerURL.path) {
            let adam = Adam(layout: parameters.layout)
            try adam.restore(from: SafeTensors(contentsOf: optimizerURL), path: optimizerURL.path)
            optimizer = adam
        }
        return Contents(parameters: parameters, vocabulary: tokens, optimizer: optimizer)
    }
}
