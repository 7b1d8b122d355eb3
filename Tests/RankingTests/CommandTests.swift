import Foundation
import MIND
import NewsModel
import NewsRecCLI
import Store
import Testing
@testable import Ranking

/// `newsrec embed`, `click` and `rank` driven in-process.
@Suite("Ranking commands")
struct CommandTests {
    /// Runs `newsrec arguments`, returning the exit code, stdout and stderr.
    func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let out = Failures(), err = Failures()
        let context = CommandContext(out: { out.add($0) }, err: { err.add($0) })
        let code = NewsRecCLI.run(arguments, context: context)
        return (code, out.all.joined(), err.all.joined())
    }

    /// A store with the agreement test's data and a tiny checkpoint for it.
    func setUp() throws -> (file: TemporaryStore, checkpoint: URL, parameters: NRMSParameters, vocabulary: Vocabulary) {
        let file = try TemporaryStore()
        let (news, impressions) = ModelAgreementTests.data()
        try NewsStore(path: file.path).ingest(split: .dev, news: news, impressions: impressions)
        let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
        let parameters = try ModelAgreementTests.tinyModel(vocabulary: vocabulary, encoder: .fastformer)
        let checkpoint = file.directory.appendingPathComponent("checkpoint")
        try Checkpoint.save(parameters: parameters, vocabulary: vocabulary.tokens, to: checkpoint)
        return (file, checkpoint, parameters, vocabulary)
    }

    @Test("embed is incremental and keyed by the checkpoint's content hash")
    func embed() throws {
        let (file, checkpoint, _, _) = try setUp()
        var result = run(["embed", "--db", file.path, "--model", checkpoint.path, "--json"])
        #expect(result.code == 0, "\(result.err)")
        let id = try ModelFingerprint.id(ofCheckpointAt: checkpoint)
        #expect(result.out.contains("\"model\": \"\(id)\""))
        #expect(result.out.contains("\"encoded\": 40"))
        #expect(result.err.contains("embedded 40/40 news"))
        result = run(["embed", "--db", file.path, "--model", checkpoint.path, "--json"])
        #expect(result.out.contains("\"encoded\": 0, \"cached\": 40"))
        let store = try NewsStore(path: file.path)
        #expect(try store.withConnection { try $0.model(id: id) }?.config == (try String(contentsOf: checkpoint.appendingPathComponent("config.json"), encoding: .utf8)))
        #expect(run(["embed", "--db", file.path + ".missing", "--model", checkpoint.path]).code == 64)
        #expect(run(["embed", "--db", file.path, "--model", file.directory.path]).code == 1)
    }

    @Test("rank prints the ranker's order as JSON, names unknown candidates, and falls back for cold users")
    func rank() throws {
        let (file, checkpoint, _, _) = try setUp()
        let user = "U7"
        var result = run(["rank", "--db", file.path, "--model", checkpoint.path, "--user", user,
                          "--candidates", "N1,N2,N3,N4,N5", "--json"])
        #expect(result.code == 0, "\(result.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "personalized")
        #expect(object["cached_user_vector"] as? Bool == false)
        let results = try #require(object["results"] as? [[String: Any]])
        let ranker = try Ranker(storePath: file.path, checkpoint: checkpoint)
        let expected = try ranker.rank(user: UserID(user), candidates: (1 ... 5).map { NewsID("N\($0)") })
        #expect(results.map { $0["news"] as? String } == expected.map { $0.0.rawValue })
        for (row, want) in zip(results, expected) { #expect(Float(row["score"] as! Double) == want.1) }

        result = run(["rank", "--db", file.path, "--model", checkpoint.path, "--user", user, "--candidates", "N1,N404,N405"])
        #expect(result.code == 1)
        #expect(result.err.contains("N404, N405"))

        result = run(["rank", "--db", file.path, "--model", checkpoint.path, "--user", "newcomer", "--top", "3"])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.err.contains("unknown user newcomer"))
        #expect(result.err.contains("cold start"))
        #expect(result.out.split(separator: "\n").count == 4)  // header + 3

        // --all ranks the news cached so far: those encoded on the fly above, then all after embed.
        result = run(["rank", "--db", file.path, "--model", checkpoint.path, "--user", user, "--all", "--top", "40",
                      "--json"])
        let some = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        // U7 has 7 clicks (the last 5 read) and 5 candidates: 9 distinct news were encoded on the fly.
        #expect((some["results"] as? [Any])?.count == 9)
        #expect(run(["embed", "--db", file.path, "--model", checkpoint.path]).code == 0)
        result = run(["rank", "--db", file.path, "--model", checkpoint.path, "--user", user, "--all", "--top", "40",
                      "--json"])
        let all = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect((all["results"] as? [Any])?.count == 40)
        #expect(all["cached_user_vector"] as? Bool == true)
        #expect(run(["rank", "--db", file.path, "--model", checkpoint.path, "--user", user, "--all", "--fresh", "2"]).code == 64)
    }

    @Test("click appends to the history the ranker reads; a bad bulk file writes nothing and names file:line")
    func click() throws {
        let (file, checkpoint, _, _) = try setUp()
        let store = try NewsStore(path: file.path)
        let before = try #require(try store.withConnection { try $0.history(of: UserID("U3")) })
        var result = run(["click", "--db", file.path, "--user", "U3", "--news", "N9", "--time", "11/20/2019 9:00:00 AM"])
        #expect(result.code == 0, "\(result.err)")
        #expect(try store.withConnection { try $0.history(of: UserID("U3")) } == before + [NewsID("N9")])

        let clicks = file.directory.appendingPathComponent("clicks.tsv")
        try "U3\tN10\t1574300000\nU4\tN11\t1574300001\nU5\tN12\tyesterday\n".write(to: clicks, atomically: true, encoding: .utf8)
        result = run(["click", "--db", file.path, "--file", clicks.path])
        #expect(result.code == 1)
        #expect(result.err.contains("\(clicks.path):3:"))
        #expect(try store.withConnection { try $0.recordedClickCount() } == 1)

        try "U3\tN10\t1574300000\nU4\tN999\t1574300001\n".write(to: clicks, atomically: true, encoding: .utf8)
        result = run(["click", "--db", file.path, "--file", clicks.path])
        #expect(result.code == 1)
        #expect(result.err.contains("\(clicks.path):2: expected a news id of the store, found N999"))
        #expect(try store.withConnection { try $0.recordedClickCount() } == 1)

        try "U3\tN10\t1574300000\r\n\nU4\tN11\t11/21/2019 1:00:00 PM\n".write(to: clicks, atomically: true, encoding: .utf8)
        result = run(["click", "--db", file.path, "--file", clicks.path, "--json"])
        #expect(result.out == "{\"recorded\": 2}\n")
        #expect(try store.withConnection { try $0.history(of: UserID("U3")) }?.suffix(2) == [NewsID("N9"), NewsID("N10")])

        // The next rank for U3 sees the new history (the user vector is recomputed).
        let ranker = try Ranker(storePath: file.path, checkpoint: checkpoint)
        let ranked = try ranker.ranking(user: UserID("U3"), candidates: [NewsID("N1")])
        #expect(ranked.method == .personalized(historyLength: min(before.count + 2, 5), cachedUserVector: false))
        #expect(run(["click", "--db", file.path, "--user", "U3"]).code == 64)
    }
}
