import Foundation
import Testing
@testable import Ranking

@Suite("Model fingerprint")
struct ModelFingerprintTests {
    @Test("the id changes with any checkpoint file and names a missing file")
    func checkpointIdentity() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: RankingError.self) { try ModelFingerprint.id(ofCheckpointAt: directory) }
        try Data([1, 2, 3]).write(to: directory.appendingPathComponent("model.safetensors"))
        try Data("{}".utf8).write(to: directory.appendingPathComponent("config.json"))
        try Data("[PAD]\n[UNK]\n".utf8).write(to: directory.appendingPathComponent("vocab.txt"))
        let first = try ModelFingerprint.id(ofCheckpointAt: directory)
        #expect(first.count == 16)
        #expect(try ModelFingerprint.id(ofCheckpointAt: directory) == first)
        try Data("{ }".utf8).write(to: directory.appendingPathComponent("config.json"))
        #expect(try ModelFingerprint.id(ofCheckpointAt: directory) != first)
    }
}
