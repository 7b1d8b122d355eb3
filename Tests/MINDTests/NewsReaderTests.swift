import Foundation
import Testing
@testable import MIND
import TestSupport

@Suite("news.tsv reader")
struct NewsReaderTests {
    @Test("reads all eight columns of the sample, entities included")
    func readsSample() throws {
        var lines: [Int] = []
        var articles: [NewsArticle] = []
        try NewsReader(url: Fixtures.sample("news.tsv")).forEach { line, article in
            lines.append(line)
            articles.append(article)
        }
        #expect(lines == [1, 2, 3, 4, 5])
        #expect(articles.map(\.id.rawValue) == ["N1", "N2", "N3", "N4", "N5"])
        #expect(articles.map(\.category) == ["travel", "news", "sports", "finance", "lifestyle"])
        #expect(articles.map(\.subcategory) == ["traveltips", "newsworld", "football_nfl", "markets", "lifestylebuzz"])
        #expect(articles.map(\.title) == [
            "Café culture in Paris: a guide",
            "Tokyo's 東京タワー reopens after renovation",
            "Don't miss: 3 takeaways from Sunday's game!",
            "Stocks rise as inflation cools",
            "Douglas Adams and the number 42",
        ])
        #expect(articles.map(\.abstract) == [
            "From the Eiffel Tower to Montmartre, où boire un café.",
            "",
            "Quarterback throws for 300 yards; fans cheer.",
            "The S&P 500 gained 1.2% on Tuesday.",
            "Why 42 is the answer, according to Adams.",
        ])
        #expect(articles.map(\.url) == (1...5).map { "https://assets.msn.com/labs/mind/N\($0).html" })

        #expect(articles[0].titleEntities == [
            Entity(label: "Paris", type: "G", wikidataID: "Q90", confidence: 1.0,
                   occurrenceOffsets: [16], surfaceForms: ["Paris"]),
        ])
        #expect(articles[0].abstractEntities == [
            Entity(label: "Eiffel Tower", type: "L", wikidataID: "Q243", confidence: 0.999,
                   occurrenceOffsets: [9], surfaceForms: ["Eiffel Tower"]),
        ])
        #expect(articles[1].titleEntities == [
            Entity(label: "Tokyo", type: "G", wikidataID: "Q1490", confidence: 0.87,
                   occurrenceOffsets: [0], surfaceForms: ["Tokyo"]),
        ])
        #expect(articles[1].abstractEntities.isEmpty)     // "[]"
        #expect(articles[2].titleEntities.isEmpty && articles[2].abstractEntities.isEmpty)
        #expect(articles[3].abstractEntities.isEmpty)     // empty column
        #expect(articles[4].titleEntities.map(\.surfaceForms) == [["Douglas Adams"]])
        #expect(articles[4].abstractEntities == [
            Entity(label: "Douglas Adams", type: "P", wikidataID: "Q42", confidence: 0.95,
                   occurrenceOffsets: [35], surfaceForms: ["Adams"]),
        ])
    }

    @Test("entity offsets index the title and abstract by character")
    func offsetsPointAtSurfaceForms() throws {
        for article in try NewsReader(url: Fixtures.sample("news.tsv")).readAll() {
            for (text, entities) in [(article.title, article.titleEntities), (article.abstract, article.abstractEntities)] {
                for entity in entities {
                    let characters = Array(text)
                    let start = try #require(entity.occurrenceOffsets.first)
                    let form = try #require(entity.surfaceForms.first)
                    #expect(String(characters[start..<start + form.count]) == form)
                }
            }
        }
    }
}
