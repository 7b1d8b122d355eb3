import Foundation
import Testing
@testable import MIND
import TestSupport

@Suite("behaviors.tsv reader")
struct BehaviorsReaderTests {
    @Test("reads every column of the labelled sample")
    func readsTrainSample() throws {
        var lines: [Int] = []
        var impressions: [Impression] = []
        try BehaviorsReader(url: Fixtures.sample("behaviors_train.tsv")).forEach { line, impression in
            lines.append(line)
            impressions.append(impression)
        }
        #expect(lines == [1, 2, 3, 4])
        let n = NewsID.init(_:)
        #expect(impressions == [
            Impression(id: 1, user: UserID("U1"), time: 1_573_813_352, history: [n("N1"), n("N2")],
                       candidates: [Candidate(news: n("N3"), clicked: true), Candidate(news: n("N4"), clicked: false),
                                    Candidate(news: n("N5"), clicked: false)]),
            Impression(id: 2, user: UserID("U2"), time: 1_573_823_107, history: [],
                       candidates: [Candidate(news: n("N1"), clicked: false), Candidate(news: n("N2"), clicked: true),
                                    Candidate(news: n("N5"), clicked: true)]),
            Impression(id: 3, user: UserID("U1"), time: 1_573_862_400, history: [n("N1"), n("N2"), n("N3")],
                       candidates: [Candidate(news: n("N4"), clicked: false), Candidate(news: n("N5"), clicked: true)]),
            Impression(id: 4, user: UserID("U3"), time: 1_573_734_600, history: [n("N5")],
                       candidates: [Candidate(news: n("N4"), clicked: true), Candidate(news: n("N1"), clicked: false)]),
        ])
    }

    @Test("reads the unlabelled test sample with clicked == nil")
    func readsTestSample() throws {
        let impressions = try BehaviorsReader(url: Fixtures.sample("behaviors_test.tsv")).readAll()
        #expect(impressions.count == 2)
        #expect(impressions[0].id == 1 && impressions[0].user == UserID("U4"))
        #expect(impressions[0].time == 1_574_409_600)
        #expect(impressions[0].history == [NewsID("N1"), NewsID("N3")])
        #expect(impressions[0].candidates.map(\.news.rawValue) == ["N2", "N4", "N5"])
        #expect(impressions[0].candidates.allSatisfy { $0.clicked == nil })
        #expect(impressions[1].history.isEmpty)
        #expect(impressions[1].time == 1_574_467_199)
        #expect(impressions[1].candidates == [Candidate(news: NewsID("N5"), clicked: nil),
                                              Candidate(news: NewsID("N1"), clicked: nil)])
    }
}
