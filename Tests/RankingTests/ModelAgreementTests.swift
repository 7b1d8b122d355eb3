import Basics
import Foundation
import MIND
import NewsModel
import Store
import Testing
@testable import Ranking

/// The ranker, scoring from cached vectors, agrees with the full model scoring each impression from titles.
@Suite("Ranker agrees with the full NRMS model")
struct ModelAgreementTests {
    static let words = ["storm", "market", "team", "wins", "election", "recipe", "health", "city", "crash", "film",
                        "star", "season", "budget", "school", "river", "fire", "game", "deal", "court", "music"]

    /// 40 news, 15 users with one dev impression each (histories of 0…9 clicks, 3…8 candidates).
    static func data() -> (news: [NewsArticle], impressions: [Impression]) {
        var rng = SplitMix64Like(seed: 11)
        let news = (0 ..< 40).map { index in
            let title = (0 ..< 3 + rng.next(8)).map { _ in words[rng.next(words.count)] }.joined(separator: " ")
            return NewsArticle(id: NewsID("N\(index)"), category: "c", subcategory: "s", title: title, abstract: "",
                               url: "")
        }
        let impressions = (0 ..< 15).map { user in
            let history = (0 ..< (user % 10)).map { _ in NewsID("N\(rng.next(40))") }
            var seen = Set<Int>()
            let candidates = (0 ..< 3 + user % 6).compactMap { _ -> Candidate? in
                let index = rng.next(40)
                return seen.insert(index).inserted ? Candidate(news: NewsID("N\(index)"), clicked: false) : nil
            }
            return Impression(id: user + 1, user: UserID("U\(user)"), time: SmallData.start + Int64(user) * 60,
                              history: history, candidates: candidates)
        }
        return (news, impressions)
    }

    static func tinyModel(vocabulary: Vocabulary, encoder: NRMSConfiguration.Encoder) throws -> NRMSParameters {
        let configuration = NRMSConfiguration(encoder: encoder, wordDimension: 12, hiddenSize: 8, headCount: 2,
                                              poolingDimension: 6, titleLength: 6, historyLength: 5,
                                              vocabularySize: vocabulary.count, dropout: 0.2)
        // Weights uniform in ±0.5 (the training initialisation, N(0, 0.02²), gives scores near 1e-6, too small to
        // make a 1e-5 tolerance mean anything); the [PAD] row stays zero.
        let parameters = try NRMSParameters(configuration: configuration)
        var rng = SplitMix64Like(seed: 3)
        let count = parameters.layout.count, e = configuration.wordDimension
        for index in e ..< count { parameters.values.pointer[index] = Float(rng.next(2001) - 1000) / 2000 }
        return parameters
    }

    /// Scores of one impression by the full model: titles → news encoder → user encoder → dot, in one batch
    /// laid out as in training (last `historyLength` clicks, front-padded with -1).
    static func fullModelScores(_ impression: Impression, titles: [NewsID: String], parameters: NRMSParameters,
                                tokens: (String) -> [Int32]) throws -> [Float] {
        let configuration = parameters.configuration
        var rows: [NewsID: Int32] = [:]
        var titleTokens: [Int32] = []
        func row(_ news: NewsID) -> Int32 {
            if let row = rows[news] { return row }
            let row = Int32(rows.count)
            rows[news] = row
            titleTokens += tokens(titles[news]!)
            return row
        }
        let kept = impression.history.suffix(configuration.historyLength)
        let histories = [Int32](repeating: -1, count: configuration.historyLength - kept.count) + kept.map(row)
        let candidates = impression.candidates.map { row($0.news) }
        let batch = ModelBatch(titles: titleTokens, titleLength: configuration.titleLength, histories: histories,
                               historyLength: configuration.historyLength, candidates: candidates,
                               candidateCount: candidates.count)
        let workspace = try NRMSWorkspace(configuration: configuration, maxBatchSize: 1, maxNews: rows.count,
                                          maxCandidates: candidates.count)
        _ = try workspace.loss(parameters: parameters, batch: batch)
        return workspace.scores()
    }

    @Test("every dev impression: same order and scores (1e-5) as the full model", arguments: NRMSConfiguration.Encoder.allCases)
    func agreement(encoderKind: NRMSConfiguration.Encoder) throws {
        let file = try TemporaryStore()
        let (news, impressions) = Self.data()
        try NewsStore(path: file.path).ingest(split: .dev, news: news, impressions: impressions)
        let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
        let parameters = try Self.tinyModel(vocabulary: vocabulary, encoder: encoderKind)
        let encoder = NRMSRankingEncoder(parameters: parameters, vocabulary: vocabulary)
        let ranker = try Ranker(storePath: file.path, encoder: encoder, modelID: "tiny-\(encoderKind)", config: "{}",
                                checkpoint: "(memory)")
        #expect(try ranker.embedMissingNews() == 40)
        let titles = Dictionary(uniqueKeysWithValues: news.map { ($0.id, $0.title) })
        var compared = 0
        var largest: Float = 0
        for impression in impressions {
            let candidates = impression.candidates.map(\.news)
            let result = try ranker.ranking(user: impression.user, candidates: candidates)
            if impression.history.isEmpty {
                #expect(result.method == .popularity(since: impressions.map(\.time).max()! - 86_400))
                continue
            }
            #expect(result.method == .personalized(historyLength: min(impression.history.count, 5),
                                                   cachedUserVector: false))
            let full = try Self.fullModelScores(impression, titles: titles, parameters: parameters,
                                                tokens: encoder.titleTokens)
            let expectedOrder = zip(candidates, full).enumerated()
                .sorted { $0.element.1 != $1.element.1 ? $0.element.1 > $1.element.1 : $0.offset < $1.offset }
                .map(\.element.0)
            #expect(result.items.map(\.news) == expectedOrder, "impression \(impression.id)")
            let byNews = Dictionary(uniqueKeysWithValues: zip(candidates, full))
            for item in result.items {
                let want = byNews[item.news]!
                #expect(abs(item.score - want) <= 1e-5 * max(1, abs(want)), "impression \(impression.id) \(item.news)")
            }
            largest = max(largest, full.map(abs).max() ?? 0)
            compared += 1
        }
        #expect(compared == impressions.filter { !$0.history.isEmpty }.count)
        #expect(compared >= 12)
        #expect(largest > 0.2, "scores large enough for the 1e-5 tolerance to mean something")
    }

    @Test("a cached news vector equals a fresh encoding of that news alone, bit for bit")
    func cachedEqualsFresh() throws {
        let file = try TemporaryStore()
        let (news, impressions) = Self.data()
        try NewsStore(path: file.path).ingest(split: .dev, news: news, impressions: impressions)
        let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
        let parameters = try Self.tinyModel(vocabulary: vocabulary, encoder: .fastformer)
        let ranker = try Ranker(storePath: file.path,
                                encoder: NRMSRankingEncoder(parameters: parameters, vocabulary: vocabulary),
                                modelID: "tiny", config: "{}", checkpoint: "(memory)")
        try ranker.embedMissingNews()
        let fresh = NRMSRankingEncoder(parameters: parameters, vocabulary: vocabulary, threads: 1)
        let store = try NewsStore(path: file.path)
        for article in news {
            let cached = try #require(try store.withConnection { try $0.newsVector(model: ranker.model, news: article.id) })
            let alone = try fresh.encodeNews([article])
            #expect(cached.map(\.bitPattern) == alone.map(\.bitPattern), "\(article.id)")
        }
    }
}

/// A small seeded generator for test data (SplitMix64).
struct SplitMix64Like {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
