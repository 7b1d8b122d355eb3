import MIND
import NewsModel
import Testing
@testable import Training

@Suite("Batch building")
struct BatchingTests {
    static func corpusAndSamples() throws -> (TrainingCorpus, ImpressionTable, SampleSet) {
        let impressions = (0..<10).map { index in
            (history: Array(0..<(index % 4)).map { ($0 * 3 + index) % 12 },
             candidates: [(index % 12, true), ((index + 1) % 12, false), ((index + 2) % 12, false),
                          ((index + 3) % 12, false), ((index + 5) % 12, false)])
        }
        let corpus = try makeCorpus(historyLength: 5, impressions: impressions)
        let table = try #require(corpus.splits[.train])
        return (corpus, table, try SampleSet(impressions: table, negatives: 4, seed: 5, epoch: 0))
    }

    @Test("deduplicated batches name each news once and reproduce every title and history")
    func deduplicatedBatch() throws {
        let (corpus, table, samples) = try Self.corpusAndSamples()
        var builder = BatchBuilder(newsCount: corpus.news.count)
        var batch = Batch()
        builder.build(&batch, samples: samples, range: 2..<8, impressions: table, news: corpus.news, historyLength: 5)
        #expect(batch.size == 6 && batch.candidateCount == 5)
        #expect(Set(builder.newsRows).count == builder.newsRows.count, "each news once")
        #expect(batch.newsCount == builder.newsRows.count)
        #expect(batch.titles.values.count == builder.newsRows.map { corpus.news.length(of: Int($0)) }.reduce(0, +),
                "titles are packed: no padding")
        for (offset, sample) in (2..<8).enumerated() {
            let candidates = batch.candidates[(offset * 5)..<((offset + 1) * 5)]
            for (local, global) in zip(candidates, samples.candidates(of: sample)) {
                #expect(builder.newsRows[Int(local)] == global)
                #expect(Array(batch.titles[Int(local)]) == Array(corpus.news.title(at: Int(global))))
            }
            let expected = Array(table.history(of: Int(samples.impressions[sample])))
            #expect(batch.histories[offset].map { builder.newsRows[Int($0)] } == expected)
        }
        // Building again (reused buffers) gives the same batch: the local-row map was reset.
        let first = batch
        builder.build(&batch, samples: samples, range: 2..<8, impressions: table, news: corpus.news, historyLength: 5)
        #expect(batch == first)
    }

    @Test("without dedup, every slot gets its own title")
    func naiveBatch() throws {
        let (corpus, table, samples) = try Self.corpusAndSamples()
        var builder = BatchBuilder(newsCount: corpus.news.count, deduplicate: false)
        var batch = Batch()
        builder.build(&batch, samples: samples, range: 0..<4, impressions: table, news: corpus.news, historyLength: 5)
        let historyEntries = batch.histories.values.count
        #expect(batch.newsCount == 4 * 5 + historyEntries)
        #expect(batch.candidates.sorted() == Array(Set(batch.candidates)).sorted(), "no index shared")
    }
}
