import Foundation
import MIND
import NewsModel
import Ranking
import Store
import Testing
import TestSupport

/// `newsrec embed`, `click` and `rank` driven in-process on the tiny model and its data.
@Suite("Ranking commands")
struct RankingCommandTests {
    /// A store with the tiny data set as the dev split, a checkpoint of the tiny model for it, in `folder`.
    struct Setup {
        let folder: TemporaryDirectory
        var store: String { folder.path("store.sqlite") }
        var checkpoint: URL { folder.appending("checkpoint") }

        init() throws {
            folder = try TemporaryDirectory("cli-rank")
            let (news, impressions) = TinyNRMS.data()
            try NewsStore(path: folder.path("store.sqlite")).ingest(split: .dev, news: news, impressions: impressions)
            let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
            let parameters = try TinyNRMS.model(vocabulary: vocabulary, encoder: .fastformer)
            try Checkpoint.save(NRMSModel(parameters: parameters, vocabulary: vocabulary),
                                to: folder.appending("checkpoint"))
        }
    }

    @Test("embed is incremental and keyed by the checkpoint's content hash")
    func embed() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        var result = newsrec(["embed", "--db", setup.store, "--model", setup.checkpoint.path, "--json"])
        #expect(result.code == 0, "\(result.err)")
        let id = try ModelFingerprint.id(ofCheckpointAt: setup.checkpoint)
        #expect(result.out.contains("\"model\": \"\(id)\""))
        #expect(result.out.contains("\"encoded\": 40"))
        #expect(result.err.contains("embedded 40/40 news"))
        result = newsrec(["embed", "--db", setup.store, "--model", setup.checkpoint.path, "--json"])
        #expect(result.out.contains("\"encoded\": 0, \"cached\": 40"))
        let store = try NewsStore(path: setup.store)
        let config = try String(contentsOf: setup.checkpoint.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(try store.withConnection { try $0.model(id: id) }?.config == config)
        #expect(newsrec(["embed", "--db", setup.store + ".missing", "--model", setup.checkpoint.path]).code == 64)
        #expect(newsrec(["embed", "--db", setup.store, "--model", setup.folder.url.path]).code == 1)
    }

    @Test("rank prints the ranker's order as JSON, names unknown candidates, and falls back for cold users")
    func rank() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let base = ["rank", "--db", setup.store, "--model", setup.checkpoint.path]
        var result = newsrec(base + ["--user", "U7", "--candidates", "N1,N2,N3,N4,N5", "--json"])
        #expect(result.code == 0, "\(result.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["user", "model", "method", "history_length", "cached_user_vector", "results"])
        #expect(object["method"] as? String == "personalized")
        #expect(object["cached_user_vector"] as? Bool == false)
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.allSatisfy { Set($0.keys) == ["rank", "news", "score", "title"] })
        let ranker = try Ranker(storePath: setup.store, checkpoint: setup.checkpoint)
        let expected = try ranker.rank(user: UserID("U7"), candidates: (1 ... 5).map { NewsID("N\($0)") })
        #expect(results.map { $0["news"] as? String } == expected.map { $0.0.rawValue })
        for (row, want) in zip(results, expected) { #expect(Float(row["score"] as! Double) == want.1) }

        result = newsrec(base + ["--user", "U7", "--candidates", "N1,N404,N405"])
        #expect(result.code == 1)
        #expect(result.err.contains("N404, N405"))

        result = newsrec(base + ["--user", "newcomer", "--top", "3"])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.err.contains("unknown user newcomer"))
        #expect(result.err.contains("cold start"))
        #expect(result.out.split(separator: "\n").count == 4)  // header + 3

        // --all ranks the news cached so far: those encoded on the fly above, then all after embed.
        result = newsrec(base + ["--user", "U7", "--all", "--top", "40", "--json"])
        let some = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        // U7 has 7 clicks (the last 5 read) and 5 candidates: 9 distinct news were encoded on the fly.
        #expect((some["results"] as? [Any])?.count == 9)
        #expect(newsrec(["embed", "--db", setup.store, "--model", setup.checkpoint.path]).code == 0)
        result = newsrec(base + ["--user", "U7", "--all", "--top", "40", "--json"])
        let all = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect((all["results"] as? [Any])?.count == 40)
        #expect(all["cached_user_vector"] as? Bool == true)
        #expect(newsrec(base + ["--user", "U7", "--all", "--fresh", "2"]).code == 64)
    }

    @Test("rank --fresh leaves out shown news the store has no article for, as the service's fresh pool does")
    func freshLeavesOutUndefinedNews() throws {
        let folder = try TemporaryDirectory("cli-rank-fresh")
        defer { folder.remove() }
        let (news, impressions) = TinyNRMS.data()
        let shown = Set(impressions.flatMap { $0.candidates.map(\.news) })
        let missing = try #require(news.map(\.id).first { shown.contains($0) })
        let store = folder.path("store.sqlite")
        try NewsStore(path: store).ingest(split: .dev, news: news.filter { $0.id != missing }, impressions: impressions)
        let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
        try Checkpoint.save(NRMSModel(parameters: try TinyNRMS.model(vocabulary: vocabulary, encoder: .fastformer),
                                      vocabulary: vocabulary), to: folder.appending("checkpoint"))
        let result = newsrec(["rank", "--db", store, "--model", folder.path("checkpoint"), "--user", "U7",
                              "--fresh", "100000", "--top", "100", "--json"])
        #expect(result.code == 0, "\(result.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let ranked = try #require(object["results"] as? [[String: Any]]).compactMap { $0["news"] as? String }
        #expect(Set(ranked) == Set(shown.map(\.rawValue)).subtracting([missing.rawValue]))
    }

    @Test("rank reads candidates from a file of ids separated by whitespace or commas")
    func rankCandidatesFile() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let file = try setup.folder.file("candidates.txt", "N3 N1,\nN2\n")
        let base = ["rank", "--db", setup.store, "--model", setup.checkpoint.path, "--user", "U7"]
        let fromFile = newsrec(base + ["--candidates-file", file.path, "--json"])
        let fromList = newsrec(base + ["--candidates", "N3,N1,N2", "--json"])
        #expect(fromFile.code == 0, "\(fromFile.err)")
        func news(_ outcome: Outcome) throws -> [String] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.out.utf8)) as? [String: Any])
            return try #require(object["results"] as? [[String: Any]]).compactMap { $0["news"] as? String }
        }
        #expect(try news(fromFile) == news(fromList))
        #expect(try news(fromFile).count == 3)
        let empty = try setup.folder.file("empty.txt", " \n")
        let result = newsrec(base + ["--candidates-file", empty.path])
        #expect(result.code == 64)
        #expect(result.err.contains("names no news id"))
    }

    @Test("click appends to the history the ranker reads; a bad bulk file writes nothing and names file:line")
    func click() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let store = try NewsStore(path: setup.store)
        let before = try #require(try store.withConnection { try $0.history(of: UserID("U3")) })
        var result = newsrec(["click", "--db", setup.store, "--user", "U3", "--news-id", "N9",
                              "--time", "11/20/2019 9:00:00 AM"])
        #expect(result.code == 0, "\(result.err)")
        #expect(try store.withConnection { try $0.history(of: UserID("U3")) } == before + [NewsID("N9")])

        let clicks = try setup.folder.file("clicks.tsv",
                                           "U3\tN10\t1574300000\nU4\tN11\t1574300001\nU5\tN12\tyesterday\n")
        result = newsrec(["click", "--db", setup.store, "--file", clicks.path])
        #expect(result.code == 1)
        #expect(result.err.contains("\(clicks.path):3:"))
        #expect(try store.withConnection { try $0.recordedClickCount() } == 1)

        try "U3\tN10\t1574300000\nU4\tN999\t1574300001\n".write(to: clicks, atomically: false, encoding: .utf8)
        result = newsrec(["click", "--db", setup.store, "--file", clicks.path])
        #expect(result.code == 1)
        #expect(result.err.contains("\(clicks.path):2: expected a news id of the store, found N999"))
        #expect(try store.withConnection { try $0.recordedClickCount() } == 1)

        try "U3\tN10\t1574300000\r\n\nU4\tN11\t11/21/2019 1:00:00 PM\n"
            .write(to: clicks, atomically: false, encoding: .utf8)
        result = newsrec(["click", "--db", setup.store, "--file", clicks.path, "--json"])
        #expect(result.out == "{\"recorded\": 2}\n")
        #expect(try store.withConnection { try $0.history(of: UserID("U3")) }?.suffix(2) == [NewsID("N9"), NewsID("N10")])

        // The next rank for U3 sees the new history (the user vector is recomputed).
        let ranker = try Ranker(storePath: setup.store, checkpoint: setup.checkpoint)
        let ranked = try ranker.ranking(user: UserID("U3"), candidates: [NewsID("N1")])
        #expect(ranked.method == .personalized(historyLength: min(before.count + 2, 5), cachedUserVector: false))
        #expect(newsrec(["click", "--db", setup.store, "--user", "U3"]).code == 64)
    }
}
