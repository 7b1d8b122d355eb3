import Basics
import Foundation
import Testing
@testable import Ranking

@Suite("Model fingerprint")
struct ModelFingerprintTests {
    @Test("FNV-1a 64 matches the published test vectors")
    func fnvVectors() {
        var empty = FNV1a64()
        empty.combine([])
        #expect(empty.hexDigest == "cbf29ce484222325")
        var a = FNV1a64()
        a.combine(Array("a".utf8))
        #expect(a.hexDigest == "af63dc4c8601ec8c")
        var foobar = FNV1a64()
        foobar.combine(Array("foobar".utf8))
        #expect(foobar.hexDigest == "85944171f73967e8")
    }

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
