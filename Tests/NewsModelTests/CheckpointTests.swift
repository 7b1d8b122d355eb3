import Foundation
import MIND
import Testing
@testable import NewsModel
import TensorMath
import TestSupport

@Suite("Checkpoints and safetensors")
struct CheckpointTests {
    @Test("safetensors encode/decode round trip with metadata; header is 8-byte aligned")
    func safetensorsRoundTrip() throws {
        var file = SafeTensors()
        file.set("b", shape: [2, 3], values: [1, -2, 3.5, .pi, 0, -0.0])
        file.set("a", shape: [1], values: [42])
        file.set("empty", shape: [0, 4], values: [])
        file.metadata = ["step": "7"]
        let data = try file.encoded()
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(data.count == 8 + headerLength + 7 * 4)
        let back = try SafeTensors(data: data)
        #expect(back.names == ["b", "a", "empty"])
        #expect(back["b"] == file["b"])
        #expect(back["a"]?.values == [42])
        #expect(back["empty"]?.shape == [0, 4])
        #expect(back.metadata == ["step": "7"])
    }

    @Test("safetensors files written by the Python library are read (golden fixture)")
    func readsPythonFile() throws {
        let url = Fixtures.url("golden/fastformer/model.safetensors")
        let file = try SafeTensors(contentsOf: url)
        #expect(file["word_embedding.weight"]?.shape == [24, 12])
        #expect(file["word_embedding.weight"]?.values.prefix(12).allSatisfy { $0 == 0 } == true)
        #expect(file["user_encoder.pooling.score.weight"]?.shape == [1, 6])
    }

    @Test("malformed safetensors are rejected with the reason")
    func malformed() throws {
        func header(_ json: String, payload: Int) -> Data {
            var data = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(Data(json.utf8))
            data.append(Data(count: payload))
            return data
        }
        func message(_ data: Data) -> String {
            do {
                _ = try SafeTensors(data: data, path: "x.safetensors")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(Data([1, 2])).contains("at least 8 bytes"))
        #expect(message(header("{\"a\": {\"dtype\": \"F16\", \"shape\": [1], \"data_offsets\": [0, 2]}}", payload: 2)).contains("dtype F32 for tensor a, found F16"))
        #expect(message(header("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", payload: 4)).contains("8 bytes for F32 tensor a"))
        #expect(message(header("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 8]}}", payload: 4)).contains("within the 4-byte data buffer"))
        #expect(message(header("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", payload: 8)).contains("tile the data buffer"))
        #expect(message(header("[1]", payload: 0)).contains("JSON object"))
        #expect(message(header("{\"a\": ", payload: 0)).contains("JSON header"))
        #expect(message(header("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", payload: 4)) == "accepted")
    }

    @Test("checkpoint save/load round trip is bit-exact, with optimizer state", arguments: NRMSConfiguration.Encoder.allCases)
    func roundTrip(encoder: NRMSConfiguration.Encoder) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try NRMSParameters(configuration: configuration, seed: 11) { id in
            id == 3 ? [1, 2, 3, 4, 5, 6] : nil
        }
        #expect(parameters.tensor(named: "word_embedding.weight")![18..<24].elementsEqual([1, 2, 3, 4, 5, 6]))
        #expect(parameters.tensor(named: "word_embedding.weight")![0..<6].allSatisfy { $0 == 0 })
        let adam = Adam(layout: parameters.layout)
        let gradients = NRMSGradients(layout: parameters.layout)
        gradients[100] = 1
        adam.step(parameters: parameters, gradients: gradients)
        let vocabulary = Vocabulary(tokens: ["[PAD]", "[UNK]"] + (2..<12).map { "word\($0)" })
        let root = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("checkpoint")
        try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary, optimizer: adam), to: directory)
        let loaded = try Checkpoint.load(from: directory)
        #expect(loaded.parameters.configuration == configuration)
        #expect(loaded.vocabulary == vocabulary)
        #expect(loaded.parameters.values.toArray().map(\.bitPattern) == parameters.values.toArray().map(\.bitPattern))
        #expect(loaded.optimizer.stepCount == 1)
        #expect(loaded.optimizer.secondMoment.toArray() == adam.secondMoment.toArray())
        // Replacing an existing checkpoint leaves no temporary directories behind.
        try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary), to: directory,
                            includingOptimizer: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["checkpoint"])
        #expect(!Checkpoint.hasOptimizerState(directory))
        #expect(try Checkpoint.load(from: directory).optimizer.stepCount == 0)
        let config = try String(contentsOf: directory.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains("\"word_dim\" : 6") && config.contains("\"encoder\" : \"\(encoder.rawValue)\""))
    }

    @Test("a failed save leaves the previous checkpoint intact")
    func failedSave() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try NRMSParameters(configuration: configuration, seed: 1)
        let vocabulary = Vocabulary(tokens: ["[PAD]", "[UNK]"] + (2..<12).map { "w\($0)" })
        let root = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("checkpoint")
        try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary), to: directory)
        #expect(throws: ModelError.self) {
            try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: Vocabulary(tokens: Array(vocabulary.tokens.dropLast()))),
                                to: directory)
        }
        #expect(try Checkpoint.load(from: directory).vocabulary == vocabulary)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["checkpoint"])
    }

    @Test("loading rejects a wrong shape, a missing or extra tensor, and a short vocabulary")
    func loadErrors() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try NRMSParameters(configuration: configuration, seed: 1)
        let vocabulary = Vocabulary(tokens: ["[PAD]", "[UNK]"] + (2..<12).map { "w\($0)" })
        let root = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("checkpoint")
        try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary), to: directory)
        let modelURL = directory.appendingPathComponent("model.safetensors")
        var file = try SafeTensors(contentsOf: modelURL)
        file.set("news_encoder.pooling.proj.bias", shape: [6], values: Array(repeating: 0, count: 6))
        try file.write(to: modelURL)
        #expect(throws: ModelError.tensorMismatch(path: modelURL.path, name: "news_encoder.pooling.proj.bias",
                                                  expected: "shape [5], found [6]")) {
            try Checkpoint.load(from: directory)
        }
        try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary), to: directory)
        file = try SafeTensors(contentsOf: modelURL)
        file.set("extra", shape: [1], values: [0])
        try file.write(to: modelURL)
        #expect(throws: ModelError.self) { try Checkpoint.load(from: directory) }
        try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary), to: directory)
        try Data("[PAD]\n[UNK]\n".utf8).write(to: directory.appendingPathComponent("vocab.txt"))
        #expect(throws: ModelError.self) { try Checkpoint.load(from: directory) }
    }
}
