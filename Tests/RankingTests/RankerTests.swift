import Foundation
import MIND
import Store
import Testing
@testable import Ranking
import TensorMath

@Suite("Ranker")
struct RankerTests {
    /// The expected score: dot product of the user's (mean × 2 of history vectors) and the candidate's vector.
    func expectedScore(history: [String], candidate: String, encoder: HashingEncoder) -> Float {
        let titles = Dictionary(uniqueKeysWithValues: SmallData.news.map { ($0.id.rawValue, $0.title) })
        var user = [Float](repeating: 0, count: encoder.dimension)
        for news in history {
            let v = HashingEncoder.vector(for: titles[news]!, dimension: encoder.dimension)
            for d in user.indices { user[d] += v[d] }
        }
        user = user.map { 2 * $0 / Float(history.count) }
        return VectorMath.dot(user, HashingEncoder.vector(for: titles[candidate]!, dimension: encoder.dimension))
    }

    func makeRanker(_ fixture: StoreFixture, _ encoder: HashingEncoder) throws -> Ranker {
        try Ranker(storePath: fixture.file.path, encoder: encoder, modelID: "abcdefabcdefabcd", config: "{}",
                   checkpoint: "/ckpt")
    }

    @Test("scores are dot products of user and news vectors, best first, encoded on the fly and cached")
    func personalizedRanking() throws {
        let fixture = try SmallData.fixture()
        let encoder = HashingEncoder()
        let ranker = try makeRanker(fixture, encoder)
        let candidates = ["N3", "N4", "N5", "N6"].map { NewsID($0) }
        let result = try ranker.ranking(user: UserID("U1"), candidates: candidates)
        #expect(result.method == .personalized(historyLength: 2, cachedUserVector: false))
        let expected = candidates.map { ($0, expectedScore(history: ["N1", "N2"], candidate: $0.rawValue,
                                                           encoder: encoder)) }
            .enumerated().sorted { $0.element.1 != $1.element.1 ? $0.element.1 > $1.element.1 : $0.offset < $1.offset }
            .map(\.element)
        #expect(result.items.map(\.news) == expected.map(\.0))
        for (item, want) in zip(result.items, expected) { #expect(abs(item.score - want.1) < 1e-6) }
        #expect(Set(encoder.encodedNews) == Set(["N1", "N2", "N3", "N4", "N5", "N6"].map { NewsID($0) }))
        #expect(encoder.encodedUsers == 1)

        let again = try ranker.ranking(user: UserID("U1"), candidates: candidates, top: 2)
        #expect(again.method == .personalized(historyLength: 2, cachedUserVector: true))
        #expect(again.items == Array(result.items.prefix(2)))
        #expect(encoder.encodedNews.count == 6)
        #expect(encoder.encodedUsers == 1)
    }

    @Test("a new click changes the history version and the user vector is recomputed")
    func clickInvalidatesUserVector() throws {
        let fixture = try SmallData.fixture()
        let encoder = HashingEncoder()
        let ranker = try makeRanker(fixture, encoder)
        let candidates = [NewsID("N3"), NewsID("N5")]
        _ = try ranker.ranking(user: UserID("U1"), candidates: candidates)
        try fixture.store.withConnection { try $0.recordClicks([Click(user: UserID("U1"), news: NewsID("N6"), time: SmallData.start + 3 * SmallData.day)]) }
        let result = try ranker.ranking(user: UserID("U1"), candidates: candidates)
        #expect(result.method == .personalized(historyLength: 3, cachedUserVector: false))
        #expect(encoder.encodedUsers == 2)
        let want = expectedScore(history: ["N1", "N2", "N6"], candidate: "N3", encoder: encoder)
        #expect(abs(result.items.first { $0.news.rawValue == "N3" }!.score - want) < 1e-6)
        // historyLength 3: a fourth click pushes N1 out of the window.
        try fixture.store.withConnection { try $0.recordClicks([Click(user: UserID("U1"), news: NewsID("N4"), time: SmallData.start + 4 * SmallData.day)]) }
        let windowed = try ranker.ranking(user: UserID("U1"), candidates: candidates)
        #expect(windowed.method == .personalized(historyLength: 3, cachedUserVector: false))
        let shifted = expectedScore(history: ["N2", "N6", "N4"], candidate: "N5", encoder: encoder)
        #expect(abs(windowed.items.first { $0.news.rawValue == "N5" }!.score - shifted) < 1e-6)
    }

    @Test("history clicks on news the store does not define are left out of the user vector")
    func unknownHistoryNews() throws {
        let fixture = try SmallData.fixture()
        let encoder = HashingEncoder()
        let ranker = try makeRanker(fixture, encoder)
        try fixture.store.withConnection { try $0.recordClicks([Click(user: UserID("U1"), news: NewsID("N404"), time: SmallData.start + 5 * SmallData.day)]) }
        let result = try ranker.ranking(user: UserID("U1"), candidates: [NewsID("N3")])
        #expect(result.method == .personalized(historyLength: 3, cachedUserVector: false))
        let want = expectedScore(history: ["N1", "N2"], candidate: "N3", encoder: encoder)
        #expect(abs(result.items[0].score - want) < 1e-6)
        #expect(!encoder.encodedNews.contains(NewsID("N404")))
    }

    @Test("unknown candidates are an error naming them")
    func unknownCandidates() throws {
        let fixture = try SmallData.fixture()
        let ranker = try makeRanker(fixture, HashingEncoder())
        #expect(throws: RankingError.unknownCandidates([NewsID("N77"), NewsID("N99")])) {
            try ranker.rank(user: UserID("U1"), candidates: ["N3", "N77", "N99"].map { NewsID($0) })
        }
        #expect(throws: RankingError.unknownCandidates([NewsID("N77")])) {
            try ranker.rank(user: UserID("nobody"), candidates: ["N3", "N77"].map { NewsID($0) })
        }
    }

    @Test("a user without clicks gets the click-popularity ranking of the last day")
    func coldStart() throws {
        let fixture = try SmallData.fixture()
        let ranker = try makeRanker(fixture, HashingEncoder())
        let candidates = ["N1", "N2", "N6", "N4", "N5"].map { NewsID($0) }
        for user in ["U2", "stranger"] {
            let result = try ranker.ranking(user: UserID(user), candidates: candidates)
            #expect(result.method == .popularity(since: SmallData.start + 7200))
            // Last day: N4 clicked twice, N6 once; N2's click is older than the window; ties keep the given order.
            #expect(result.items.map(\.news.rawValue) == ["N4", "N6", "N1", "N2", "N5"])
            #expect(result.items.map(\.score) == [2, 1, 0, 0, 0])
        }
        #expect(try ranker.freshCandidates() == ["N4", "N5", "N6"].map { NewsID($0) })
    }

    @Test("fresh candidates defined only: shown news that no news file defines are left out")
    func freshCandidatesDefinedOnly() throws {
        let file = try TemporaryStore()
        let store = try NewsStore(path: file.path)
        try store.ingest(split: .dev, news: SmallData.news.filter { $0.id != NewsID("N6") },
                         impressions: SmallData.impressions)
        let ranker = try makeRanker(StoreFixture(file: file, store: store), HashingEncoder())
        #expect(try ranker.freshCandidates() == ["N4", "N5", "N6"].map { NewsID($0) })
        #expect(try ranker.freshCandidates(definedOnly: true) == ["N4", "N5"].map { NewsID($0) })
    }

    @Test("embedding is incremental and the catalogue ranking matches ranking every news")
    func embeddingAndCatalogue() throws {
        let fixture = try SmallData.fixture()
        let encoder = HashingEncoder()
        let ranker = try makeRanker(fixture, encoder)
        var reports: [(Int, Int)] = []
        #expect(try ranker.embedMissingNews(batchSize: 4) { reports.append(($0, $1)) } == 6)
        #expect(reports.map(\.0) == [0, 4, 6])
        #expect(try ranker.embedMissingNews() == 0)
        try NewsStore(path: fixture.file.path).ingest(
            split: .train, news: [NewsArticle(id: NewsID("N7"), category: "c", subcategory: "s",
                                              title: "a brand new story", abstract: "", url: "")],
            impressions: nil)
        #expect(try ranker.embedMissingNews() == 1)
        #expect(encoder.encodedNews.count == 7)
        let cached = try #require(try fixture.store.withConnection { try $0.newsVector(model: ranker.model, news: NewsID("N7")) })
        #expect(cached.map(\.bitPattern)
                == HashingEncoder.vector(for: "a brand new story", dimension: 8).map(\.bitPattern))

        let everything = try ranker.rank(user: UserID("U1"), candidates: (1 ... 7).map { NewsID("N\($0)") }, top: 3)
        let catalogue = try ranker.rankCatalogue(user: UserID("U1"), top: 3)
        #expect(catalogue.items.map(\.news) == everything.map(\.0))
        #expect(catalogue.items.map(\.score) == everything.map(\.1))
    }
}
