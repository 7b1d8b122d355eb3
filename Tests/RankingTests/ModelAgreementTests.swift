import Basics
import Foundation
import MIND
import NewsModel
import Store
import Testing
@testable import Ranking
import TestSupport

/// The ranker, scoring from cached vectors, agrees with the full model scoring each impression from titles.
@Suite("Ranker agrees with the full NRMS model")
struct ModelAgreementTests {
    /// Scores of one impression by the full model: titles → news encoder → user encoder → dot, in one batch
    /// laid out as in training (last `historyLength` clicks, front-padded with -1).
    static func fullModelScores(_ impression: Impression, titles: [NewsID: String], parameters: NRMSParameters,
                                tokens: (String) -> [Int32]) throws -> [Float] {
        let configuration = parameters.configuration
        var rows: [NewsID: Int32] = [:]
        var titleTokens = PackedSequences()
        func row(_ news: NewsID) -> Int32 {
            if let row = rows[news] { return row }
            let row = Int32(rows.count)
            rows[news] = row
            titleTokens.append(tokens(titles[news]!))
            return row
        }
        var histories = PackedSequences()
        histories.append(impression.history.suffix(configuration.historyLength).map(row))
        let candidates = impression.candidates.map { row($0.news) }
        let batch = Batch(titles: titleTokens, histories: histories, candidates: candidates,
                          candidateCount: candidates.count)
        let model = try NRMSModel(parameters: parameters, vocabulary: TinyNRMS.placeholderVocabulary(configuration.vocabularySize))
        let workspace = model.makeWorkspace()
        _ = try model.forward(batch, workspace: workspace, dropoutSeed: nil)
        return workspace.scores()
    }

    @Test("every dev impression: same order and scores (1e-5) as the full model", arguments: NRMSConfiguration.Encoder.allCases)
    func agreement(encoderKind: NRMSConfiguration.Encoder) throws {
        let file = try TemporaryStore()
        let (news, impressions) = TinyNRMS.data()
        try NewsStore(path: file.path).ingest(split: .dev, news: news, impressions: impressions)
        let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
        let parameters = try TinyNRMS.model(vocabulary: vocabulary, encoder: encoderKind)
        let encoder = try NRMSModel(parameters: parameters, vocabulary: vocabulary)
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
        let (news, impressions) = TinyNRMS.data()
        try NewsStore(path: file.path).ingest(split: .dev, news: news, impressions: impressions)
        let vocabulary = Vocabulary(buildingFrom: news.map(\.title))
        let parameters = try TinyNRMS.model(vocabulary: vocabulary, encoder: .fastformer)
        let ranker = try Ranker(storePath: file.path,
                                encoder: NRMSModel(parameters: parameters, vocabulary: vocabulary),
                                modelID: "tiny", config: "{}", checkpoint: "(memory)")
        try ranker.embedMissingNews()
        let fresh = try NRMSModel(parameters: parameters, vocabulary: vocabulary)
        let store = try NewsStore(path: file.path)
        for article in news {
            let cached = try #require(try store.withConnection { try $0.newsVector(model: ranker.model, news: article.id) })
            let alone = try fresh.encodeNews([article], threads: 1)
            #expect(cached.map(\.bitPattern) == alone.map(\.bitPattern), "\(article.id)")
        }
    }
}
