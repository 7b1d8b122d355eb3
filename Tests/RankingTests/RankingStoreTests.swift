import Foundation
import MIND
import Store
import Testing
@testable import Ranking

@Suite("Ranking store")
struct RankingStoreTests {
    let model = CachedModel(id: "00112233aabbccdd", dimension: 3, config: "{}", checkpoint: "/tmp/ckpt")

    @Test("vectors round-trip bit for bit, keyed by model")
    func vectorRoundTrip() throws {
        let fixture = try SmallData.fixture()
        let store = fixture.store
        try store.withConnection { try $0.register(model) }
        let other = CachedModel(id: "ffffffffffffffff", dimension: 3, config: "{}", checkpoint: "/x")
        try store.withConnection { try $0.register(other) }
        let values: [Float] = [1.5, -0.0, .pi, Float(bitPattern: 0x0000_0001), .greatestFiniteMagnitude, -1e-30]
        try store.withConnection { try $0.storeNewsVectors(model: model, articles: Array(SmallData.news[0 ..< 2]), vectors: values) }
        let n1 = try #require(try store.withConnection { try $0.newsVector(model: model, news: NewsID("N1")) })
        #expect(n1.map(\.bitPattern) == values[0 ..< 3].map(\.bitPattern))
        #expect(try store.withConnection { try $0.newsVector(model: other, news: NewsID("N1")) } == nil)
        var matrix: [Float] = []
        let missing = try store.withConnection { try $0.appendNewsVectors(model: model, ids: [NewsID("N2"), NewsID("N3"), NewsID("N1")],
                                                  to: &matrix) }
        #expect(missing == [NewsID("N3")])
        #expect(matrix.map(\.bitPattern) == (values[3 ..< 6] + values[0 ..< 3]).map(\.bitPattern))
        let all = try store.withConnection { try $0.allNewsVectors(model: model) }
        #expect(all.ids == [NewsID("N1"), NewsID("N2")])
        #expect(all.vectors.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try store.withConnection { try $0.uncachedArticles(model: model) }.map(\.id.rawValue) == ["N3", "N4", "N5", "N6"])
        #expect(try store.withConnection { try $0.uncachedArticles(model: other) }.count == 6)
    }

    @Test("registering twice keeps the first record and a different dimension is an error")
    func registration() throws {
        let fixture = try SmallData.fixture()
        let store = fixture.store
        try store.withConnection { try $0.register(model) }
        var again = model
        again.checkpoint = "/elsewhere"
        #expect(try store.withConnection { try $0.register(again) }.checkpoint == "/tmp/ckpt")
        again.dimension = 4
        #expect(throws: StoreError.self) { try store.withConnection { try $0.register(again) } }
        #expect(try store.withConnection { try $0.model(id: "0000000000000000") } == nil)
    }

    @Test("a user vector is a hit only for the version it was stored with")
    func userVectorVersions() throws {
        let fixture = try SmallData.fixture()
        let store = fixture.store
        try store.withConnection { try $0.register(model) }
        try store.withConnection { try $0.storeUserVector(model: model, user: UserID("U1"), version: "v1", historyLength: 2, vector: [1, 2, 3], epoch: 0) }
        #expect(try store.withConnection { try $0.userVector(model: model, user: UserID("U1"), version: "v1") }?.vector == [1, 2, 3])
        #expect(try store.withConnection { try $0.userVector(model: model, user: UserID("U1"), version: "v2") } == nil)
        try store.withConnection { try $0.storeUserVector(model: model, user: UserID("U1"), version: "v2", historyLength: 3, vector: [4, 5, 6], epoch: 0) }
        #expect(try store.withConnection { try $0.userVector(model: model, user: UserID("U1"), version: "v1") } == nil)
        #expect(try store.withConnection { try $0.userVector(model: model, user: UserID("U1"), version: "v2") }?.historyLength == 3)
    }

    @Test("history is the latest impression's history then later clicks, cut to the last clicks")
    func histories() throws {
        let fixture = try SmallData.fixture()
        let store = fixture.store
        #expect(try store.withConnection { try $0.history(of: UserID("U1")) } == [NewsID("N1"), NewsID("N2")])
        #expect(try store.withConnection { try $0.history(of: UserID("U2")) } == [])
        #expect(try store.withConnection { try $0.history(of: UserID("U9")) } == nil)
        let later = SmallData.start + 2 * SmallData.day
        try store.withConnection { try $0.recordClicks([Click(user: UserID("U1"), news: NewsID("N6"), time: later + 5),
                                Click(user: UserID("U1"), news: NewsID("N4"), time: later),
                                Click(user: UserID("U1"), news: NewsID("N3"), time: SmallData.start),
                                Click(user: UserID("U9"), news: NewsID("N1"), time: later)]) }
        // N3 is older than U1's latest impression, so that impression's history already accounts for it.
        #expect(try store.withConnection { try $0.history(of: UserID("U1")) } == ["N1", "N2", "N4", "N6"].map { NewsID($0) })
        #expect(try store.withConnection { try $0.history(of: UserID("U1"), limit: 2) } == ["N4", "N6"].map { NewsID($0) })
        #expect(try store.withConnection { try $0.history(of: UserID("U9")) } == [NewsID("N1")])
        #expect(try store.withConnection { try $0.recordedClickCount() } == 4)
    }

    @Test("fresh news and popularity count the window's impressions and clicks")
    func freshnessAndPopularity() throws {
        let fixture = try SmallData.fixture()
        let store = fixture.store
        let latest = try #require(try store.withConnection { try $0.latestTime() })
        #expect(latest == SmallData.start + SmallData.day + 7200)
        let since = latest - SmallData.day
        #expect(try store.withConnection { try $0.freshNews(since: since) } == ["N4", "N5", "N6"].map { NewsID($0) })
        var popularity = try store.withConnection { try $0.clickPopularity(since: since) }
        #expect(popularity.map(\.news.rawValue) == ["N4", "N6"])
        #expect(popularity.map(\.clicks) == [2, 1])
        try store.withConnection { try $0.recordClicks([Click(user: UserID("U3"), news: NewsID("N6"), time: latest),
                                Click(user: UserID("U3"), news: NewsID("N6"), time: latest + 1),
                                Click(user: UserID("U3"), news: NewsID("N2"), time: since - 1)]) }
        popularity = try store.withConnection { try $0.clickPopularity(since: since) }
        #expect(popularity.map(\.news.rawValue) == ["N6", "N4"])
        #expect(popularity.map(\.clicks) == [3, 2])
        #expect(try store.withConnection { try $0.unknownNews([NewsID("N1"), NewsID("X"), NewsID("X"), NewsID("Y")]) } == [NewsID("X"), NewsID("Y")])
        // A click recorded much later does not move the window, which impressions anchor.
        try store.withConnection { try $0.recordClicks([Click(user: UserID("U3"), news: NewsID("N1"), time: latest + 365 * SmallData.day)]) }
        #expect(try store.withConnection { try $0.latestTime() } == latest)
        #expect(try store.withConnection { try $0.freshNews(since: since) } == ["N4", "N5", "N6"].map { NewsID($0) })
    }

    @Test("without impressions the latest click anchors popularity and every news is fresh")
    func noImpressions() throws {
        let file = try TemporaryStore()
        try NewsStore(path: file.path).ingest(split: .dev, news: SmallData.news, impressions: nil)
        let store = try NewsStore(path: file.path)
        #expect(try store.withConnection { try $0.latestTime() } == nil)
        try store.withConnection { try $0.recordClicks([Click(user: UserID("U1"), news: NewsID("N2"), time: 1000)]) }
        #expect(try store.withConnection { try $0.latestTime() } == 1000)
        #expect(try store.withConnection { try $0.latestImpressionTime() } == nil)
        let ranker = try Ranker(storePath: file.path, encoder: HashingEncoder(), modelID: "m", config: "{}",
                                checkpoint: "/c")
        #expect(try ranker.freshCandidates().count == 6)
        let cold = try ranker.ranking(user: UserID("U9"), candidates: [NewsID("N1"), NewsID("N2")])
        #expect(cold.method == .popularity(since: 1000 - 86_400))
        #expect(cold.items.map(\.news.rawValue) == ["N2", "N1"])
    }

    @Test("a bulk click write is all or nothing")
    func atomicClicks() throws {
        let fixture = try SmallData.fixture()
        let store = fixture.store
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { database in
                try database.recordClicks([Click(user: UserID("U1"), news: NewsID("N1"), time: 1)])
                throw Boom()
            }
        }
        #expect(try store.withConnection { try $0.recordedClickCount() } == 0)
    }
}
