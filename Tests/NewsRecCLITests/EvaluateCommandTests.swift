import Foundation
import Metrics
import Testing
import TestSupport

/// `newsrec evaluate` driven in-process on the tiny model and its data (`RankingCommandTests.Setup`).
@Suite("Evaluate command")
struct EvaluateCommandTests {
    @Test("evaluate streams the split into prediction.txt and the scores file, and refuses a split without impressions")
    func evaluate() throws {
        let setup = try RankingCommandTests.Setup()
        defer { setup.folder.remove() }
        let predictions = setup.folder.appending("prediction.txt"), scores = setup.folder.appending("scores.tsv")
        let result = newsrec(["evaluate", "--db", setup.store, "--model", setup.checkpoint.path, "--split", "dev",
                              "--predictions", predictions.path, "--scores", scores.path, "--json"])
        #expect(result.code == 0, "\(result.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(object["impressions"] as? Int == 15 && object["split"] as? String == "dev")
        let lines = try PredictionFile.read(from: predictions)
        #expect(lines.map(\.impressionID) == Array(1...15))
        let candidates = try #require(object["candidates"] as? Int)
        #expect(lines.map(\.values.count).reduce(0, +) == candidates)
        #expect(try String(contentsOf: scores, encoding: .utf8).split(separator: "\n").count == candidates)

        let empty = newsrec(["evaluate", "--db", setup.store, "--model", setup.checkpoint.path, "--split", "test"])
        #expect(empty.code == 1 && empty.err.contains("impressions in the test split"), "\(empty.err)")
    }
}
