import Foundation
import MIND
@testable import Ranking
import Store
import Testing
import TestSupport

/// The in-memory mirror of the news-vector cache follows what other rankers and processes cache and invalidate.
@Suite("News vectors in memory")
struct NewsVectorMemoryTests {
    @Test("vectors cached by another ranker are loaded incrementally; a title change reloads; nothing stale")
    func followsTheStore() throws {
        let fixture = try SmallData.fixture()
        let mine = HashingEncoder(), theirs = HashingEncoder()
        let ranker = try Ranker(store: fixture.store, encoder: mine, modelID: "feedfacefeedface", config: "{}",
                                checkpoint: "/ckpt")
        let other = try Ranker(store: NewsStore(path: fixture.file.path), encoder: theirs,
                               modelID: "feedfacefeedface", config: "{}", checkpoint: "/ckpt")
        #expect(try ranker.preloadNewsVectors() == 0)
        #expect(try other.embedNews([NewsID("N3"), NewsID("N4")]) == 2)
        let candidates = [NewsID("N3"), NewsID("N4")]
        _ = try ranker.ranking(user: UserID("U1"), candidates: candidates)   // history N1, N2: encoded here
        #expect(mine.encodedNews == [NewsID("N1"), NewsID("N2")])            // N3, N4 came from the mirror
        #expect(try ranker.preloadNewsVectors() == 4)

        let retitled = NewsArticle(id: NewsID("N3"), category: "news", subcategory: "sub", title: "fresh words here",
                                   abstract: "", url: "https://example.com/3")
        _ = try fixture.store.write { try $0.upsertArticles([retitled]) }
        #expect(try other.embedNews([NewsID("N3")]) == 1)
        let after = try ranker.ranking(user: UserID("U1"), candidates: candidates)
        #expect(mine.encodedNews == [NewsID("N1"), NewsID("N2")])
        let user = (HashingEncoder.vector(for: "title number 1 about things", dimension: 8),
                    HashingEncoder.vector(for: "title number 2 about things", dimension: 8))
        let userVector = zip(user.0, user.1).map { ($0 + $1) }          // mean × 2 of two rows
        let n3 = HashingEncoder.vector(for: "fresh words here", dimension: 8)
        let expected = zip(userVector, n3).map { $0 * $1 }.reduce(0, +)
        #expect(abs((after.items.first { $0.news == NewsID("N3") }?.score ?? .nan) - expected) < 1e-5)
    }
}

/// The cold-start counts kept between queries follow ingests and recorded clicks.
@Suite("Cold-start popularity kept between queries")
struct ImpressionPopularityTests {
    @Test("an ingest of new impressions and a recorded click change the next cold-start ranking")
    func followsIngestAndClicks() throws {
        let fixture = try SmallData.fixture()
        let ranker = try Ranker(store: fixture.store, encoder: HashingEncoder(), modelID: "feedfacefeedface",
                                config: "{}", checkpoint: "/ckpt")
        let candidates = ["N4", "N5", "N6"].map { NewsID($0) }
        func scores() throws -> [String: Float] {
            let result = try ranker.ranking(user: UserID("nobody"), candidates: candidates)
            return Dictionary(uniqueKeysWithValues: result.items.map { ($0.news.rawValue, $0.score) })
        }
        #expect(try scores() == ["N4": 2, "N5": 0, "N6": 1])
        let time = SmallData.start + SmallData.day + 7000
        let impressions = (10 ..< 13).map { id in
            Impression(id: id, user: UserID("U7"), time: time, history: [],
                       candidates: [Candidate(news: NewsID("N5"), clicked: true)])
        }
        try fixture.store.ingest(split: .train, news: SmallData.news, impressions: impressions)
        #expect(try scores() == ["N4": 2, "N5": 3, "N6": 1])
        try fixture.store.withConnection {
            try $0.recordClicks([Click(user: UserID("U8"), news: NewsID("N6"), time: time)])
        }
        #expect(try scores() == ["N4": 2, "N5": 3, "N6": 2])
    }
}
