import Foundation
import Testing
@testable import Metrics
import TestSupport

/// A fresh empty directory under the system temporary directory.
@Suite("Leaderboard files")
struct LeaderboardFileTests {
    @Test("prediction.txt round trip, byte-exact format")
    func predictionRoundTrip() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("prediction.txt")
        let lines = [
            LeaderboardLine(impressionID: 1, values: ScoreOrder.ranks(scores: [0.2, 0.9, 0.1])),
            LeaderboardLine(impressionID: 2, values: [1]),
            LeaderboardLine(impressionID: 10, values: Array(1...12).reversed()),
        ]
        try PredictionFile.write(lines, to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == "1 [2,1,3]\n2 [1]\n10 [12,11,10,9,8,7,6,5,4,3,2,1]\n")
        #expect(try PredictionFile.read(from: url) == lines)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["prediction.txt"])
    }

    @Test("truth.txt round trip, including a masked impression")
    func truthRoundTrip() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("truth.txt")
        let lines = [LeaderboardLine(impressionID: 1, values: [0, 1, 0]),
                     LeaderboardLine(impressionID: 2, values: [])]
        try TruthFile.write(lines, to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "1 [0,1,0]\n2 []\n")
        #expect(try TruthFile.read(from: url) == lines)
    }

    @Test("a writer that is never closed leaves no file")
    func atomic() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let writer = try PredictionFile.writer(url: directory.appendingPathComponent("prediction.txt"))
            try writer.write(impressionID: 1, values: [1, 2])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        let writer = try TruthFile.writer(url: directory.appendingPathComponent("truth.txt"))
        #expect(throws: MetricsError.self) { try writer.write(impressionID: 1, values: [0, 2]) }
    }

    @Test("malformed lines name the file and line")
    func malformed() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, LeaderboardFileKind)] = [
            ("1 [1,2]\n2 [1, 2]\n", .prediction),   // space inside the list
            ("1 [1,2]\nx [1,2]\n", .prediction),    // id not an integer
            ("1 [1,2]\n2 [0,1]\n", .prediction),    // rank 0
            ("1 [1,0]\n2 [2,0]\n", .truth),         // label 2
            ("1 [1,0]\n2 1,0\n", .truth),           // no brackets
            ("1 [1,0]\n\n", .truth),                // empty line
        ]
        for (text, kind) in cases {
            let url = directory.appendingPathComponent("file.txt")
            try text.write(to: url, atomically: false, encoding: .utf8)
            do {
                _ = try LeaderboardFileReader(url: url, kind: kind).readAll()
                Issue.record("accepted \(text.debugDescription)")
            } catch let MetricsError.malformedLine(file, line, _) {
                #expect(file == url.path)
                #expect(line == 2)
            }
        }
    }

    @Test("a final line without newline and CRLF line ends are read")
    func lineEnds() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("prediction.txt")
        try "1 [2,1]\r\n2 [1,2]".write(to: url, atomically: false, encoding: .utf8)
        #expect(try PredictionFile.read(from: url) == [LeaderboardLine(impressionID: 1, values: [2, 1]),
                                                       LeaderboardLine(impressionID: 2, values: [1, 2])])
    }

    @Test("scoring walks the files in lockstep like evaluate.py")
    func scoring() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let truth = directory.appendingPathComponent("truth.txt")
        let prediction = directory.appendingPathComponent("prediction.txt")
        // Impression 1: ranks [1,2,3,4] for labels [0,1,0,1] → AUC 0.25, MRR 0.375 (as in the hand example).
        // Impression 2: masked (its prediction line is consumed and ignored).
        // Impression 3: prediction file ended → all ranks 1 → AUC ½; ties by candidate order → click at rank 2,
        //               MRR ½, nDCG = (1/log2 3) / 1 = 0.6309297535714575.
        try "1 [0,1,0,1]\n2 []\n3 [0,1]\n".write(to: truth, atomically: false, encoding: .utf8)
        try "1 [1,2,3,4]\n2 [1,2]\n".write(to: prediction, atomically: false, encoding: .utf8)
        let summary = try LeaderboardScorer.score(prediction: prediction, truth: truth)
        #expect(summary.impressions == 2)
        #expect(summary.auc == (0.25 + 0.5) / 2)
        #expect(summary.mrr == (0.375 + 0.5) / 2)
        #expect(abs(summary.ndcg5 - (0.6509209298071326 + 0.6309297535714575) / 2) < 1e-15)

        try "2 [1,2,3,4]\n".write(to: prediction, atomically: false, encoding: .utf8)
        #expect(throws: MetricsError.self) { try LeaderboardScorer.score(prediction: prediction, truth: truth) }
        do {
            try "1 [1,2,3,4]\n2 [1,2]\n4 [1,2]\n".write(to: prediction, atomically: false, encoding: .utf8)
            _ = try LeaderboardScorer.score(prediction: prediction, truth: truth)
            Issue.record("accepted an inconsistent impression id")
        } catch let MetricsError.inconsistentImpression(file, line, _) {
            #expect(file == prediction.path)
            #expect(line == 3)
        }
        try "1 [1,2,3]\n".write(to: prediction, atomically: false, encoding: .utf8)
        #expect(throws: MetricsError.self) { try LeaderboardScorer.score(prediction: prediction, truth: truth) }
    }
}
