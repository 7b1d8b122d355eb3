import Foundation
import MIND
import Ranking
import Serving
import Store
import Testing
import TestSupport

/// `POST /v1/rank` and `GET /v1/users/{id}/recommendations` against the ranker and `newsrec rank --json`.
@Suite("Ranking routes")
struct RankingRouteTests {
    static let candidates = (1 ... 8).map { "N\($0)" }

    @Test("POST /v1/rank answers the ranker's ranking in rank --json's shape, scores within 1e-5")
    func rankMatchesRanker() throws {
        let served = try ServedStore()
        let response = try served.call("POST", "/v1/rank",
                                       json: #"{"user": "U7", "candidates": ["N1","N2","N3","N4","N5"], "top": 3}"#)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        let object = try #require(response.json)
        #expect(Set(object.keys) == ["user", "model", "method", "history_length", "cached_user_vector", "results"])
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.allSatisfy { Set($0.keys) == ["rank", "news", "score", "title"] })

        let reference = try Ranker(storePath: served.storePath, checkpoint: served.checkpoint)
        let candidates = (1 ... 5).map { NewsID("N\($0)") }
        let expected = try reference.ranking(user: UserID("U7"), candidates: candidates, top: 3)
        let report = try JSONDecoder().decode(RankingReport.self, from: Data(response.body))
        #expect(report.user == "U7" && report.model == reference.model.id && report.method == "personalized")
        #expect(report.historyLength == 5)
        #expect(report.results.map(\.news) == expected.items.map(\.news.rawValue))
        #expect(report.results.map(\.rank) == [1, 2, 3])
        for (row, item) in zip(report.results, expected.items) {
            #expect(abs(row.score - Double(item.score)) <= 1e-5)
            #expect(row.title == (try reference.article(item.news)?.title))
        }
        // The second query finds the user vector the first one cached.
        #expect(try served.rank("U7", candidates: Self.candidates).cachedUserVector)
    }

    @Test("POST /v1/rank equals newsrec rank --json, object and scores")
    func rankMatchesCommand() throws {
        let served = try ServedStore()
        let served1 = try served.rank("U4", candidates: Self.candidates)
        let newsrec = try BuiltProducts.executable("newsrec")
        let run = try ProcessRun.run(newsrec, ["rank", "--db", served.storePath, "--model", served.checkpoint.path,
                                               "--user", "U4", "--candidates", Self.candidates.joined(separator: ","),
                                               "--json"])
        #expect(run.status == 0, "\(run.errors)")
        var command = try JSONDecoder().decode(RankingReport.self, from: Data(run.output.utf8))
        #expect(command.cachedUserVector)           // the service cached it
        command.cachedUserVector = served1.cachedUserVector
        #expect(command.results.map(\.news) == served1.results.map(\.news))
        for (a, b) in zip(command.results, served1.results) { #expect(abs(a.score - b.score) <= 1e-5) }
        command.results = served1.results
        #expect(command == served1)
    }

    @Test("without candidates the fresh pool is ranked; cold users get the popularity fallback")
    func freshPoolAndColdStart() throws {
        let served = try ServedStore()
        let fresh = try served.rank("U7")
        let pool = try served.ranker.freshCandidates(window: 86_400)
        let expected = try served.ranker.ranking(user: UserID("U7"), candidates: pool, top: 10)
        #expect(fresh.results.map(\.news) == expected.items.map(\.news.rawValue))
        #expect(fresh.results.count == 10)
        for user in ["newcomer", "U0"] {
            let cold = try served.rank(user, candidates: Self.candidates, top: 4)
            #expect(cold.method == "popularity" && cold.historyLength == 0 && !cold.cachedUserVector)
            #expect(cold.results.count == 4)
        }
    }

    @Test("the fresh pool kept between requests follows an ingest of new impressions")
    func freshPoolFollowsIngest() throws {
        let served = try ServedStore()
        let before = try served.rank("U7", top: 100)
        #expect(!before.results.contains { $0.news == "X1" })
        let article = NewsArticle(id: NewsID("X1"), category: "c", subcategory: "s", title: "storm market team",
                                  abstract: "", url: "")
        let impression = Impression(id: 99, user: UserID("U3"), time: TinyNRMS.start + 1200, history: [],
                                    candidates: [Candidate(news: NewsID("X1"), clicked: true)])
        try NewsStore(path: served.storePath).ingest(split: .train, news: [article], impressions: [impression])
        let after = try served.rank("U7", top: 100)
        #expect(after.results.count == before.results.count + 1)
        #expect(after.results.contains { $0.news == "X1" })
    }

    @Test("recommendations: fresh pool or whole catalogue, clicked news left out unless asked")
    func recommendations() throws {
        let served = try ServedStore()
        let history = Set(try #require(try served.ranker.store.withConnection {
            try $0.latestHistory(of: UserID("U9"))
        }).news.map(\.rawValue))
        #expect(history.count >= 5)
        for query in ["top=6", "top=6&fresh_hours=0", "top=6&fresh_hours=1.5"] {
            let response = try served.call("GET", "/v1/users/U9/recommendations?\(query)")
            #expect(response.status == 200, "\(query): \(response.text)")
            let report = try JSONDecoder().decode(RankingReport.self, from: Data(response.body))
            #expect(report.results.count == 6 && report.method == "personalized", "\(query)")
            #expect(report.results.allSatisfy { !history.contains($0.news) }, "\(query)")
        }
        try served.ranker.embedMissingNews()
        let all = try served.call("GET", "/v1/users/U9/recommendations?top=40&fresh_hours=0&exclude_clicked=false")
        let report = try JSONDecoder().decode(RankingReport.self, from: Data(all.body))
        let catalogue = try served.ranker.rankCatalogue(user: UserID("U9"), top: 40)
        #expect(report.results.map(\.news) == catalogue.items.map(\.news.rawValue))
        #expect(report.results.contains { history.contains($0.news) })
        let defaults = try served.call("GET", "/v1/users/newcomer/recommendations")
        #expect(defaults.status == 200 && defaults.json?["method"] as? String == "popularity")
        #expect((defaults.json?["results"] as? [Any])?.count == 10)
    }
}
