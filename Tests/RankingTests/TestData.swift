import Foundation
import MIND
import Store

/// A temporary store file, removed (with its WAL files) when the test's scope ends.
final class TemporaryStore {
    let directory: URL
    let path: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rank-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("store.sqlite").path
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// A small hand-made data set: 6 news, two users with impressions on two days.
enum SmallData {
    static let day: Int64 = 86_400
    static let start: Int64 = 1_573_776_000  // 2019-11-15 00:00:00 UTC

    static let news: [NewsArticle] = (1 ... 6).map { index in
        NewsArticle(id: NewsID("N\(index)"), category: index % 2 == 0 ? "sports" : "news", subcategory: "sub",
                    title: "title number \(index) about things", abstract: "", url: "https://example.com/\(index)")
    }

    static let impressions: [Impression] = [
        Impression(id: 1, user: UserID("U1"), time: start, history: [NewsID("N1")],
                   candidates: [Candidate(news: NewsID("N2"), clicked: true), Candidate(news: NewsID("N3"), clicked: false)]),
        Impression(id: 2, user: UserID("U1"), time: start + day + 3600, history: [NewsID("N1"), NewsID("N2")],
                   candidates: [Candidate(news: NewsID("N4"), clicked: true), Candidate(news: NewsID("N5"), clicked: false)]),
        Impression(id: 3, user: UserID("U2"), time: start + day + 7200, history: [],
                   candidates: [Candidate(news: NewsID("N4"), clicked: true), Candidate(news: NewsID("N6"), clicked: true),
                                Candidate(news: NewsID("N5"), clicked: false)]),
    ]

    /// A store at a fresh temporary path with the small data ingested as the dev split.
    static func fixture() throws -> StoreFixture {
        let file = try TemporaryStore()
        let news = try NewsStore(path: file.path)
        try news.ingest(split: .dev, news: SmallData.news, impressions: SmallData.impressions)
        return StoreFixture(file: file, store: try RankingStore(path: file.path))
    }
}

/// A ranking store on a temporary file that lives as long as the fixture.
struct StoreFixture {
    let file: TemporaryStore
    let store: RankingStore
}
