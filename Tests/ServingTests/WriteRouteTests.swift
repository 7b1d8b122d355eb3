import Foundation
import MIND
import Ranking
import Serving
import Store
import Testing
import TestSupport

/// `POST /v1/clicks` and `POST /v1/news`: what they commit and how the next ranking sees it.
@Suite("Write routes")
struct WriteRouteTests {
    @Test("a click is committed before the answer and changes the next ranking's history_length")
    func clickChangesRanking() throws {
        let served = try ServedStore()
        let before = try served.rank("U3", candidates: ["N1", "N2", "N3"])
        #expect(before.historyLength == 3)
        var response = try served.call("POST", "/v1/clicks", json: #"{"user": "U3", "news": "N20"}"#)
        #expect(response.status == 200 && response.text == #"{"recorded":1}"#)
        #expect(try served.recordedClicks() == 1)
        let after = try served.rank("U3", candidates: ["N1", "N2", "N3"])
        #expect(after.historyLength == 4 && !after.cachedUserVector)
        #expect(after.results.map(\.score) != before.results.map(\.score))

        response = try served.call("POST", "/v1/clicks", json: """
            {"clicks": [{"user": "U3", "news": "N21", "time": 1900000000},
                        {"user": "newcomer", "news": "N22", "time": "11/15/2019 8:55:22 AM"},
                        {"user": "U3", "news": "N23", "time": "1900000001"}]}
            """)
        #expect(response.status == 200 && response.json?["recorded"] as? Int == 3)
        #expect(try served.rank("U3", candidates: ["N1"]).historyLength == 5)
        #expect(try served.rank("newcomer", candidates: ["N1"]).method == "personalized")
    }

    @Test("a batch naming an unknown news records nothing (422 naming it); bad fields are 400 naming them")
    func clicksAllOrNothing() throws {
        let served = try ServedStore()
        var response = try served.call("POST", "/v1/clicks", json: """
            {"clicks": [{"user": "U1", "news": "N1"}, {"user": "U1", "news": "N404"}, {"user": "U2", "news": "N405"}]}
            """)
        #expect(response.status == 422)
        #expect(response.errorMessage == "field 'clicks' names news the store does not hold: N404, N405; nothing recorded")
        #expect(try served.recordedClicks() == 0)
        let bad: [(String, String)] = [
            (#"{"clicks": [{"user": "U1", "news": "N1"}, {"user": "U1", "news": "N-1"}]}"#, "clicks[1].news"),
            (#"{"user": "U 1", "news": "N1"}"#, "field 'user'"),
            (#"{"user": "U1", "news": "N1", "time": "yesterday"}"#, "time"),
            (#"{"user": "U1", "news": 7}"#, "news"),
            (#"{"user": "U1"}"#, "news"),
            (#"{"clicks": []}"#, "clicks"),
        ]
        for (body, field) in bad {
            response = try served.call("POST", "/v1/clicks", json: body)
            #expect(response.status == 400, "\(body)")
            #expect(response.errorMessage?.contains(field) == true, "\(body): \(response.text)")
        }
        #expect(try served.recordedClicks() == 0)
    }

    @Test("POST /v1/news caches the new article's vector before answering: rankable at once")
    func newsRankableAtOnce() throws {
        let served = try ServedStore()
        let model = served.ranker.model
        let cachedBefore = try served.ranker.cachedNewsCount()
        var response = try served.call("POST", "/v1/news", json: """
            {"news": [{"id": "N100", "category": "sports", "subcategory": "soccer", "title": "team wins game",
                       "url": "https://example.com/a/b"},
                      {"id": "N1", "category": "c", "subcategory": "s", "title": "storm city fire"}]}
            """)
        #expect(response.status == 200, "\(response.text)")
        #expect(try JSONDecoder().decode(NewsResponse.self, from: Data(response.body))
                == NewsResponse(received: 2, inserted: 1, updated: 1, retitled: 1, unchanged: 0, encoded: 2))
        let store = try NewsStore(path: served.storePath, create: false)
        #expect(try store.withConnection { try $0.newsVector(model: model, news: NewsID("N100")) } != nil)
        #expect(try store.withConnection { try $0.article(NewsID("N100"))?.url } == "https://example.com/a/b")
        #expect(try served.ranker.cachedNewsCount() == cachedBefore + 2)
        let report = try served.rank("U7", candidates: ["N100", "N2"])
        #expect(Set(report.results.map(\.news)) == ["N100", "N2"])
        #expect(report.results.first { $0.news == "N100" }?.title == "team wins game")
        let reference = try Ranker(storePath: served.storePath, checkpoint: served.checkpoint)
        let expected = try reference.ranking(user: UserID("U7"), candidates: [NewsID("N100"), NewsID("N2")])
        for (row, item) in zip(report.results, expected.items) { #expect(abs(row.score - Double(item.score)) <= 1e-5) }

        response = try served.call("POST", "/v1/news", json: """
            {"news": [{"id": "N100", "category": "sports", "subcategory": "soccer", "title": "team wins game",
                       "url": "https://example.com/a/b"}]}
            """)
        #expect(try JSONDecoder().decode(NewsResponse.self, from: Data(response.body))
                == NewsResponse(received: 1, inserted: 0, updated: 0, retitled: 0, unchanged: 1, encoded: 0))
    }

    @Test("POST /v1/news refuses bad articles, naming the field")
    func badArticles() throws {
        let served = try ServedStore()
        let article = #""category": "c", "subcategory": "s""#
        let bad: [(String, String)] = [
            (#"{"news": []}"#, "field 'news'"),
            (#"{"news": [{"id": "N-7", \#(article), "title": "t"}]}"#, "news[0].id"),
            (#"{"news": [{"id": "N7", \#(article), "title": " "}]}"#, "news[0].title"),
            (#"{"news": [{"id": "N7", \#(article), "title": "a\tb"}]}"#, "news[0].title"),
            (#"{"news": [{"id": "N7", \#(article), "title": "a"}, {"id": "N7", \#(article), "title": "b"}]}"#,
             "news[1].id"),
            (#"{"news": [{"id": "N7", "category": "c", "title": "t"}]}"#, "news[0].subcategory"),
        ]
        for (body, field) in bad {
            let response = try served.call("POST", "/v1/news", json: body)
            #expect(response.status == 400, "\(body)")
            #expect(response.errorMessage?.contains(field) == true, "\(body): \(response.text)")
        }
    }
}
