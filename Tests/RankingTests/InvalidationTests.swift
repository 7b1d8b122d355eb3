import Foundation
import MIND
import Store
import Testing
@testable import Ranking
import TensorMath

/// A news that keeps its id but gets another title: its cached vectors, and the user vectors built on it, go.
@Suite("Stale vectors after a title change")
struct InvalidationTests {
    /// The small data with new titles for `changes` (id → title).
    static func retitled(_ changes: [String: String]) -> [NewsArticle] {
        SmallData.news.map { article in
            var article = article
            if let title = changes[article.id.rawValue] { article.title = title }
            return article
        }
    }

    /// dot(2 × mean of the history titles' vectors, the candidate title's vector), as the HashingEncoder scores.
    static func score(history: [String], candidate: String, dimension: Int) -> Float {
        var user = [Float](repeating: 0, count: dimension)
        for title in history {
            let vector = HashingEncoder.vector(for: title, dimension: dimension)
            for d in user.indices { user[d] += vector[d] }
        }
        user = user.map { 2 * $0 / Float(history.count) }
        return VectorMath.dot(user, HashingEncoder.vector(for: candidate, dimension: dimension))
    }

    @Test("re-ingesting a changed title re-encodes that news and the users whose history holds it, nothing else")
    func reingestInvalidates() throws {
        let fixture = try SmallData.fixture()
        let encoder = HashingEncoder()
        let ranker = try Ranker(store: fixture.store, encoder: encoder, modelID: "feedfacefeedface", config: "{}",
                                checkpoint: "/ckpt")
        let candidates = ["N3", "N4", "N5", "N6"].map { NewsID($0) }
        try fixture.store.withConnection {
            try $0.recordClicks([Click(user: UserID("U5"), news: NewsID("N4"), time: SmallData.start)])
        }
        let before = try ranker.ranking(user: UserID("U1"), candidates: candidates)   // history N1, N2
        _ = try ranker.ranking(user: UserID("U5"), candidates: candidates)            // history N4
        #expect(encoder.encodedNews.count == 6 && encoder.encodedUsers == 2)

        let newTitle = "completely different words now"
        let summary = try fixture.store.ingest(split: .dev, news: Self.retitled(["N1": newTitle, "N3": "other news"]),
                                               impressions: nil)
        #expect(summary.changedNews == 2 && summary.retitledNews == 2)
        #expect(summary.titleChangeExamples.map(\.description) == [
            #"N1: "title number 1 about things" → "completely different words now""#,
            #"N3: "title number 3 about things" → "other news""#,
        ])
        #expect(summary.invalidation == CacheInvalidation(newsVectors: 2, userVectors: 1))

        let after = try ranker.ranking(user: UserID("U1"), candidates: candidates)
        #expect(after.method == .personalized(historyLength: 2, cachedUserVector: false))
        #expect(Array(encoder.encodedNews.dropFirst(6)) == [NewsID("N3"), NewsID("N1")])
        #expect(encoder.encodedUsers == 3)
        let n3 = try #require(after.items.first { $0.news == NewsID("N3") }?.score)
        let fresh = Self.score(history: [newTitle, "title number 2 about things"], candidate: "other news",
                               dimension: encoder.dimension)
        #expect(abs(n3 - fresh) < 1e-6)
        #expect(n3 != before.items.first { $0.news == NewsID("N3") }?.score)
        let cached = try #require(try fixture.store.withConnection { try $0.newsVector(model: ranker.model,
                                                                                       news: NewsID("N1")) })
        #expect(cached == HashingEncoder.vector(for: newTitle, dimension: encoder.dimension))

        // U5's history does not hold a changed news: its user vector and N4, N5, N6 stay cached.
        let other = try ranker.ranking(user: UserID("U5"), candidates: candidates)
        #expect(other.method == .personalized(historyLength: 1, cachedUserVector: true))
        #expect(encoder.encodedNews.count == 8 && encoder.encodedUsers == 3)

        // The same file again changes nothing and drops nothing.
        let again = try fixture.store.ingest(split: .dev, news: Self.retitled(["N1": newTitle, "N3": "other news"]),
                                             impressions: nil)
        #expect(again.changedNews == 0 && again.titleChangeExamples.isEmpty && again.invalidation == CacheInvalidation())
        _ = try ranker.ranking(user: UserID("U1"), candidates: candidates)
        #expect(encoder.encodedNews.count == 8 && encoder.encodedUsers == 3)
    }

    @Test("the whole-catalogue matrix is reloaded after a title change")
    func catalogueReloads() throws {
        let fixture = try SmallData.fixture()
        let encoder = HashingEncoder()
        let ranker = try Ranker(store: fixture.store, encoder: encoder, modelID: "feedfacefeedface", config: "{}",
                                checkpoint: "/ckpt")
        try ranker.embedMissingNews()
        _ = try ranker.rankCatalogue(user: UserID("U1"), top: 6)
        try fixture.store.withConnection { _ = try $0.upsertArticles(Self.retitled(["N5": "fresh words"])) }
        #expect(try ranker.rankCatalogue(user: UserID("U1"), top: 6).items.count == 5)
        #expect(try ranker.embedMissingNews() == 1)
        let items = try ranker.rankCatalogue(user: UserID("U1"), top: 6).items
        let n5 = try #require(items.first { $0.news == NewsID("N5") })
        let want = Self.score(history: ["title number 1 about things", "title number 2 about things"],
                              candidate: "fresh words", dimension: encoder.dimension)
        #expect(abs(n5.score - want) < 1e-6)
    }

    @Test("upsertArticles says what it inserted, updated and retitled, and logs title changes")
    func upsertReports() throws {
        let fixture = try SmallData.fixture()
        var abstractOnly = SmallData.news[1]
        abstractOnly.abstract = "now with an abstract"
        let added = NewsArticle(id: NewsID("N7"), category: "c", subcategory: "s", title: "new", abstract: "", url: "")
        let changes = try fixture.store.withConnection { database in
            try database.upsertArticles([SmallData.news[0], abstractOnly, added] + Self.retitled(["N4": "four"])[3 ..< 4])
        }
        #expect(changes.inserted == [NewsID("N7")])
        #expect(changes.updated == [NewsID("N2"), NewsID("N4")])
        #expect(changes.titleChanges.map(\.description) == ["N4: \"title number 4 about things\" → \"four\""])
        let log = try fixture.store.withConnection {
            try $0.rows("SELECT seq, news, old_title, new_title FROM news_title_changes")
        }
        #expect(log == [[.integer(1), .text("N4"), .text("title number 4 about things"), .text("four")]])
        #expect(try fixture.store.withConnection { try $0.article(NewsID("N2"))?.abstract } == "now with an abstract")
    }

    @Test("a vector computed from inputs read before a title change is not cached")
    func raceGuards() throws {
        let fixture = try SmallData.fixture()
        let model = CachedModel(id: "0123456789abcdef", dimension: 2, config: "{}", checkpoint: "/c")
        try fixture.store.withConnection { database in
            try database.register(model)
            let epoch = try database.titleChangeEpoch()
            let stale = SmallData.news[0]
            try database.upsertArticles(Self.retitled(["N1": "changed meanwhile"]))
            #expect(try database.storeNewsVectors(model: model, articles: [stale, SmallData.news[1]],
                                                  vectors: [1, 2, 3, 4]) == 1)
            #expect(try database.newsVector(model: model, news: NewsID("N1")) == nil)
            #expect(try database.newsVector(model: model, news: NewsID("N2")) == [3, 4])
            #expect(try !database.storeUserVector(model: model, user: UserID("U1"), version: "v", historyLength: 1,
                                                  vector: [1, 1], epoch: epoch))
            #expect(try database.storeUserVector(model: model, user: UserID("U1"), version: "v", historyLength: 1,
                                                 vector: [1, 1], epoch: database.titleChangeEpoch()))
        }
    }
}
