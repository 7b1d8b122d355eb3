import Basics
import Foundation
import MIND
import NewsModel

/// A tiny NRMS model and the small data set it is tested on, shared by the ranking and the command-line tests.
public enum TinyNRMS {
    /// The words of the titles.
    public static let words = ["storm", "market", "team", "wins", "election", "recipe", "health", "city", "crash",
                               "film", "star", "season", "budget", "school", "river", "fire", "game", "deal",
                               "court", "music"]
    /// 2019-11-15 00:00:00 UTC: the time of the first impression.
    public static let start: Int64 = 1_573_776_000

    /// 40 news N0…N39 with titles of 3…10 of `words`, and 15 users U0…U14 with one dev impression each (histories
    /// of 0…9 clicks, 3…8 distinct unlabelled candidates), a minute apart from `start`.
    public static func data() -> (news: [NewsArticle], impressions: [Impression]) {
        var rng = SplitMix64(seed: 11)
        func next(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
        let news = (0 ..< 40).map { index in
            let title = (0 ..< 3 + next(8)).map { _ in words[next(words.count)] }.joined(separator: " ")
            return NewsArticle(id: NewsID("N\(index)"), category: "c", subcategory: "s", title: title, abstract: "",
                               url: "")
        }
        let impressions = (0 ..< 15).map { user in
            let history = (0 ..< (user % 10)).map { _ in NewsID("N\(next(40))") }
            var seen = Set<Int>()
            let candidates = (0 ..< 3 + user % 6).compactMap { _ -> Candidate? in
                let index = next(40)
                return seen.insert(index).inserted ? Candidate(news: NewsID("N\(index)"), clicked: false) : nil
            }
            return Impression(id: user + 1, user: UserID("U\(user)"), time: start + Int64(user) * 60,
                              history: history, candidates: candidates)
        }
        return (news, impressions)
    }

    /// A model of tiny sizes (word dim 12, hidden 8, 2 heads, pooling 6, titles 6, history 5) for `vocabulary`.
    ///
    /// Weights are uniform in ±0.5 (the training initialisation, N(0, 0.02²), gives scores near 1e-6, too small to
    /// make a 1e-5 tolerance mean anything); the [PAD] row stays zero.
    public static func model(vocabulary: Vocabulary, encoder: NRMSConfiguration.Encoder) throws -> NRMSParameters {
        let configuration = NRMSConfiguration(encoder: encoder, wordDimension: 12, hiddenSize: 8, headCount: 2,
                                              poolingDimension: 6, titleLength: 6, historyLength: 5,
                                              vocabularySize: vocabulary.count, dropout: 0.2)
        let parameters = try NRMSParameters(configuration: configuration)
        var rng = SplitMix64(seed: 3)
        let count = parameters.layout.count, e = configuration.wordDimension
        for index in e ..< count { parameters.values.pointer[index] = Float(Int(rng.next() % 2001) - 1000) / 2000 }
        return parameters
    }

    /// A vocabulary of `count` placeholder words (`[PAD]`, `[UNK]`, `w2`, …), for models whose tests read token ids
    /// only.
    public static func placeholderVocabulary(_ count: Int) -> Vocabulary {
        Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken] + (2..<count).map { "w\($0)" })
    }
}
