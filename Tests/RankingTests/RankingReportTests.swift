import Foundation
import MIND
import Ranking
import Testing

/// The one JSON shape of a ranking (`rank --json`, the service): written by hand, read like `JSONEncoder`'s.
@Suite("Ranking report")
struct RankingReportTests {
    @Test("jsonData writes what JSONEncoder with sorted keys writes, escapes included")
    func matchesJSONEncoder() throws {
        let titles = ["plain", "quote \" backslash \\ slash / tab \t nl \n bell \u{07}", "東京 \u{1F600}", ""]
        let report = RankingReport(
            user: "U1", model: "0123456789abcdef", method: RankingReport.personalized, historyLength: 3,
            cachedUserVector: true,
            results: titles.enumerated().map { index, title in
                RankingReport.Entry(news: "N\(index)", rank: index + 1,
                                    score: [0.1, -1e-05, 123456.789, Double(Float(0.3))][index], title: title)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reference = String(decoding: try encoder.encode(report), as: UTF8.self)
        let written = String(decoding: try report.jsonData(), as: UTF8.self)
        #expect(written == reference)
        #expect(try JSONDecoder().decode(RankingReport.self, from: report.jsonData()) == report)
        var broken = report
        broken.results[0].score = .nan
        #expect(throws: RankingReportError.self) { try broken.jsonData() }
    }

    @Test("a ranking result becomes a report: ranks from 1, method and history length, scores widened")
    func fromResult() {
        let result = RankingResult(method: .personalized(historyLength: 4, cachedUserVector: false),
                                   items: [RankedNews(news: NewsID("N2"), score: 0.5),
                                           RankedNews(news: NewsID("N1"), score: 0.25)])
        let report = RankingReport(user: UserID("U9"), model: "m", result: result, titles: ["two", "one"])
        #expect(report.method == "personalized" && report.historyLength == 4 && !report.cachedUserVector)
        #expect(report.results.map(\.rank) == [1, 2] && report.results.map(\.title) == ["two", "one"])
        let cold = RankingReport(user: UserID("U9"), model: "m",
                                 result: RankingResult(method: .popularity(since: nil), items: []), titles: [])
        #expect(cold.method == "popularity" && cold.historyLength == 0 && cold.results.isEmpty)
    }
}
