import Basics
import Foundation
import MIND

/// The JSON object of one ranking, as `newsrec rank --json` prints it and the service's ranking routes answer it:
/// `user`, `model`, `method`, `history_length`, `cached_user_vector`, `results: [{news, rank, score, title}]`.
///
/// One shape, encoded in one place (`jsonData()`), so the command and the service cannot drift apart.
public struct RankingReport: Codable, Equatable, Sendable {
    /// `method` of a ranking by the model.
    public static let personalized = "personalized"
    /// `method` of the cold-start ranking (the user has no click): by recent click popularity.
    public static let popularity = "popularity"

    /// One ranked news.
    public struct Entry: Codable, Equatable, Sendable {
        /// The news id.
        public var news: String
        /// 1 for the best.
        public var rank: Int
        /// The dot product of user and news vector (a click count for the cold-start ranking), widened from Float.
        public var score: Double
        /// The news title ("" when the store has no article for it).
        public var title: String

        public init(news: String, rank: Int, score: Double, title: String) {
            self.news = news
            self.rank = rank
            self.score = score
            self.title = title
        }
    }

    /// The user ranked for.
    public var user: String
    /// The model id (`ModelFingerprint`).
    public var model: String
    /// `personalized` or `popularity`.
    public var method: String
    /// Clicks the user vector was computed from (0 for the cold-start ranking).
    public var historyLength: Int
    /// Whether the user vector came from the cache (false when it was computed, and for the cold-start ranking).
    public var cachedUserVector: Bool
    /// Best first.
    public var results: [Entry]

    enum CodingKeys: String, CodingKey {
        case user, model, method, results
        case historyLength = "history_length"
        case cachedUserVector = "cached_user_vector"
    }

    /// The report of `result` for `user` under model `model`; `titles[i]` is the title of `result.items[i]`.
    public init(user: UserID, model: String, result: RankingResult, titles: [String]) {
        precondition(titles.count == result.items.count, "one title per ranked news")
        self.user = user.rawValue
        self.model = model
        switch result.method {
        case let .personalized(historyLength, cachedUserVector):
            method = Self.personalized
            self.historyLength = historyLength
            self.cachedUserVector = cachedUserVector
        case .popularity:
            method = Self.popularity
            historyLength = 0
            cachedUserVector = false
        }
        results = result.items.enumerated().map { index, item in
            Entry(news: item.news.rawValue, rank: index + 1, score: Double(item.score), title: titles[index])
        }
    }

    /// The memberwise report (for decoding-free construction in tests and clients).
    public init(user: String, model: String, method: String, historyLength: Int, cachedUserVector: Bool,
                results: [Entry]) {
        self.user = user
        self.model = model
        self.method = method
        self.historyLength = historyLength
        self.cachedUserVector = cachedUserVector
        self.results = results
    }

    /// The report as one JSON object, keys sorted, `/` unescaped — what `JSONEncoder` with `.sortedKeys` writes,
    /// written directly (on a server's hot path `JSONEncoder` cost more than the ranking's dot products).
    /// - Throws: `RankingReportError.nonFiniteScore` when a score is NaN or infinite (JSON has no such numbers).
    public func jsonData() throws(RankingReportError) -> Data {
        var text = "{\"cached_user_vector\":\(cachedUserVector),\"history_length\":\(historyLength),"
        text.reserveCapacity(256 + results.count * 120)
        text += "\"method\":" + JSONText.quoted(method) + ",\"model\":" + JSONText.quoted(model) + ",\"results\":["
        for (index, entry) in results.enumerated() {
            guard entry.score.isFinite else { throw .nonFiniteScore(news: entry.news, score: entry.score) }
            text += index == 0 ? "{\"news\":" : ",{\"news\":"
            text += JSONText.quoted(entry.news) + ",\"rank\":\(entry.rank),\"score\":\(entry.score),\"title\":"
                + JSONText.quoted(entry.title) + "}"
        }
        text += "],\"user\":" + JSONText.quoted(user) + "}"
        return Data(text.utf8)
    }
}

/// A ranking that JSON cannot represent.
public enum RankingReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A score is NaN or infinite (a broken model).
    case nonFiniteScore(news: String, score: Double)

    public var description: String {
        switch self {
        case let .nonFiniteScore(news, score): "score of \(news) is \(score): not a JSON number"
        }
    }
}

extension Ranker {
    /// The report of `result`, a ranking for `user`, with the ranked news' titles read in one snapshot.
    public func report(for user: UserID, result: RankingResult) throws -> RankingReport {
        RankingReport(user: user, model: model.id, result: result, titles: try titles(of: result.items.map(\.news)))
    }

    /// The titles of `ids`, in order, read in one snapshot ("" for a news the store does not define).
    public func titles(of ids: [NewsID]) throws -> [String] {
        try store.read { database in try ids.map { try database.article($0, entities: false)?.title ?? "" } }
    }
}
