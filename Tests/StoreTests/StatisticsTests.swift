import Foundation
import MIND
import Testing
@testable import Store
import TestSupport

@Suite("Statistics")
struct StatisticsTests {
    @Test("counts of the sample train and test splits, worked out by hand")
    func sample() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try NewsStore(path: directory.path("s.sqlite"))
        #expect(try store.withConnection { try $0.statistics() } == StoreStatistics(newsRows: 0, users: 0, splits: []))
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_train.tsv"))
        try store.ingest(split: .test, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_test.tsv"))
        let statistics = try store.withConnection { try $0.statistics() }
        #expect(statistics.newsRows == 5)
        #expect(statistics.users == 4)   // U1, U2, U3 in train; U4 (and U1) in test
        // train: impressions 1–4 with 3+3+2+2 candidates and 1+2+1+1 clicks; every news N1…N5 is mentioned.
        #expect(statistics.splits == [
            SplitStatistics(split: .train, newsRows: 5, newsReferenced: 5, unknownNews: 0, users: 3, impressions: 4,
                            candidates: 10, labelledCandidates: 10, clicks: 5, clickThroughRate: 0.5),
            SplitStatistics(split: .test, newsRows: 5, newsReferenced: 5, unknownNews: 0, users: 2, impressions: 2,
                            candidates: 5, labelledCandidates: 0, clicks: 0, clickThroughRate: nil),
        ])
    }
}
