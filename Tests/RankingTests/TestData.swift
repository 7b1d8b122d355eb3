import Basics
import Foundation
import MIND
import Store
@testable import Ranking
import TestSupport

/// A temporary store file, removed (with its WAL files) when the test's scope ends.
final class TemporaryStore: Sendable {
    let folder: TemporaryDirectory
    var directory: URL { folder.url }
    let path: String

    init() throws {
        folder = try TemporaryDirectory("rank")
        path = folder.path("store.sqlite")
    }

    deinit { folder.remove() }
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
        return StoreFixture(file: file, store: news)
    }
}

/// A store on a temporary file that lives as long as the fixture.
struct StoreFixture {
    let file: TemporaryStore
    let store: NewsStore
}

/// A deterministic stand-in for a model: a news vector is a hashed bag of the title's words, a user vector is the
/// mean of the history vectors times 2. Counts what it encodes.
final class HashingEncoder: RankingEncoder, @unchecked Sendable {
    let dimension: Int
    let historyLength: Int
    private(set) var encodedNews: [NewsID] = []
    private(set) var encodedUsers = 0

    init(dimension: Int = 8, historyLength: Int = 3) {
        self.dimension = dimension
        self.historyLength = historyLength
    }

    static func vector(for title: String, dimension: Int) -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        for word in title.split(separator: " ") {
            var hash = FNV1a64()
            hash.combine(Array(word.utf8))
            vector[Int(hash.value % UInt64(dimension))] += Float(hash.value >> 60) / 8 - 0.9
        }
        return vector
    }

    func encodeNews(_ articles: [NewsArticle], threads: Int) throws -> [Float] {
        encodedNews += articles.map(\.id)
        return articles.flatMap { Self.vector(for: $0.title, dimension: dimension) }
    }

    func encodeUser(history: [Float], count: Int) throws -> [Float] {
        encodedUsers += 1
        var user = [Float](repeating: 0, count: dimension)
        for row in 0 ..< count {
            for d in 0 ..< dimension { user[d] += history[row * dimension + d] }
        }
        return user.map { 2 * $0 / Float(count) }
    }
}
