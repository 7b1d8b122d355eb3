import MIND
import Testing
@testable import Training

/// A tiny corpus: news N0…N(count-1) with titles of varying length, and impressions built from `(history,
/// [(news, clicked)])` tuples given as integers.
func makeCorpus(newsCount: Int = 12, titleLength: Int = 30, historyLength: Int = 50,
                impressions: [(history: [Int], candidates: [(Int, Bool?)])]) throws -> TrainingCorpus {
    let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
    let news = (0..<newsCount).map { index in
        (id: NewsID("N\(index)"), title: (0..<(index % 7)).map { words[($0 + index) % words.count] }
            .joined(separator: " "))
    }
    let list = impressions.enumerated().map { offset, item in
        Impression(id: offset + 1, user: UserID("U\(offset % 3)"), time: Int64(offset),
                   history: item.history.map { NewsID("N\($0)") },
                   candidates: item.candidates.map { Candidate(news: NewsID("N\($0.0)"), clicked: $0.1) })
    }
    return try TrainingCorpus(news: news, impressions: [.train: list], titleLength: titleLength,
                              historyLength: historyLength)
}

@Suite("Training samples")
struct SamplingTests {
    @Test("one sample per click; negatives drawn without replacement from the impression's non-clicks")
    func negativesWithoutReplacement() throws {
        let corpus = try makeCorpus(impressions: [
            (history: [1, 2], candidates: [(0, true), (3, false), (4, false), (5, false), (6, false), (7, false),
                                           (8, true), (9, false)]),
        ])
        let table = try #require(corpus.splits[.train])
        let nonClicked: Set<Int32> = [3, 4, 5, 6, 7, 9]
        var seen: [Int32: Int] = [:]
        for epoch in 0..<200 {
            let samples = try SampleSet(impressions: table, negatives: 4, seed: 7, epoch: epoch)
            #expect(samples.count == 2)
            #expect(Set(samples.impressions) == [0])
            #expect(Set((0..<2).map { samples.candidates(of: $0).first! }) == [0, 8])
            for index in 0..<2 {
                let negatives = Array(samples.candidates(of: index).dropFirst())
                #expect(negatives.count == 4)
                #expect(Set(negatives).count == 4, "without replacement")
                #expect(Set(negatives).isSubset(of: nonClicked))
                for row in negatives { seen[row, default: 0] += 1 }
            }
        }
        // 400 draws of 4 out of 6: each non-click is expected 400 · 4/6 ≈ 267 times.
        #expect(Set(seen.keys) == nonClicked)
        for count in seen.values { #expect((217...317).contains(count), "uniform draw, got \(count)") }
    }

    @Test("with fewer non-clicks than negatives, every non-click is used and the rest repeat them")
    func fewerNonClicks() throws {
        let corpus = try makeCorpus(impressions: [(history: [], candidates: [(2, false), (3, true), (4, false)])])
        let samples = try SampleSet(impressions: try #require(corpus.splits[.train]), negatives: 4, seed: 1, epoch: 0)
        #expect(samples.count == 1)
        let negatives = Array(samples.candidates(of: 0).dropFirst())
        #expect(negatives.count == 4)
        #expect(Set(negatives) == [2, 4])
    }

    @Test("with no non-click, negatives come from the split's other candidate news")
    func noNonClicks() throws {
        let corpus = try makeCorpus(impressions: [
            (history: [], candidates: [(1, true), (2, true)]),
            (history: [], candidates: [(5, false), (6, true), (7, false)]),
        ])
        let table = try #require(corpus.splits[.train])
        for epoch in 0..<20 {
            let samples = try SampleSet(impressions: table, negatives: 4, seed: 3, epoch: epoch)
            #expect(samples.count == 3)
            for index in 0..<samples.count where samples.impressions[index] == 0 {
                let negatives = samples.candidates(of: index).dropFirst()
                #expect(negatives.allSatisfy { [5, 6, 7].contains($0) }, "pool minus this impression's clicks")
            }
        }
    }

    @Test("same seed and epoch give the same samples; another epoch reshuffles")
    func determinism() throws {
        let impressions = (0..<30).map { index in
            (history: [index % 5], candidates: [(index % 12, true), ((index + 1) % 12, false),
                                                ((index + 2) % 12, false), ((index + 3) % 12, false),
                                                ((index + 4) % 12, false), ((index + 5) % 12, false)])
        }
        let table = try #require(try makeCorpus(impressions: impressions).splits[.train])
        let first = try SampleSet(impressions: table, negatives: 4, seed: 11, epoch: 2)
        let again = try SampleSet(impressions: table, negatives: 4, seed: 11, epoch: 2)
        let next = try SampleSet(impressions: table, negatives: 4, seed: 11, epoch: 3)
        let otherSeed = try SampleSet(impressions: table, negatives: 4, seed: 12, epoch: 2)
        #expect(first.impressions == again.impressions && first.candidates == again.candidates)
        #expect(first.impressions != next.impressions)
        #expect(first.candidates != otherSeed.candidates)
        #expect(first.impressions.sorted() == (0..<30).map(Int32.init), "a permutation of all samples")
    }

    @Test("a split without clicks is rejected")
    func noClicks() throws {
        let corpus = try makeCorpus(impressions: [(history: [], candidates: [(1, false), (2, false)])])
        #expect(throws: TrainingDataError.self) {
            try SampleSet(impressions: try #require(corpus.splits[.train]), negatives: 4, seed: 0, epoch: 0)
        }
    }

    @Test("histories keep the last clicks that are known news, oldest first; unknown candidates throw")
    func histories() throws {
        let corpus = try makeCorpus(historyLength: 3, impressions: [
            (history: [1, 2, 3, 4, 5], candidates: [(0, true)]),
        ])
        let table = try #require(corpus.splits[.train])
        #expect(Array(table.history(of: 0)) == [3, 4, 5])
        var other = ImpressionTable(historyLength: 3)
        try other.append(Impression(id: 1, user: UserID("U"), time: 0, history: [NewsID("N1"), NewsID("X9")],
                                    candidates: [Candidate(news: NewsID("N2"), clicked: nil)]), news: corpus.news)
        #expect(Array(other.history(of: 0)) == [1])
        #expect(other.unknownHistoryCount == 1)
        #expect(!other.isLabelled)
        #expect(throws: TrainingDataError.self) {
            try other.append(Impression(id: 2, user: UserID("U"), time: 0, history: [],
                                        candidates: [Candidate(news: NewsID("X1"), clicked: true)]),
                             news: corpus.news)
        }
    }
}

@Suite("Clicks on news without a news row")
struct UndefinedNewsSamplingTests {
    @Test("a click on a news no news file defines gives no training sample and is counted")
    func droppedAndCounted() throws {
        var news = NewsTable(titleLength: 30)
        for index in 0..<6 { news.add(NewsID("N\(index)"), titleTokens: [Int32(2 + index)]) }
        let ghost = news.add(NewsID("N99"), titleTokens: [], defined: false)
        #expect(news.undefinedRows == [ghost])
        var table = ImpressionTable(historyLength: 10)
        let candidates = [("N0", true), ("N99", true), ("N1", false), ("N2", false), ("N3", false), ("N4", false)]
        try table.append(Impression(id: 1, user: UserID("U1"), time: 0, history: [NewsID("N5")],
                                    candidates: candidates.map { Candidate(news: NewsID($0.0), clicked: $0.1) }),
                         news: news)
        let kept = try SampleSet(impressions: table, negatives: 4, seed: 1, epoch: 0, undefined: news.undefinedRows)
        #expect(kept.count == 1 && kept.droppedClicks == 1)
        #expect(kept.candidates(of: 0).first == news.row(of: NewsID("N0")))
        let all = try SampleSet(impressions: table, negatives: 4, seed: 1, epoch: 0)
        #expect(all.count == 2 && all.droppedClicks == 0)
    }
}
