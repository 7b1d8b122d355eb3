import MIND
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

    /// The token row a batch gives for a local title index.
    static func title(_ batch: TrainingBatch, _ local: Int32) -> [Int32] {
        Array(batch.titles[(Int(local) * batch.titleLength)..<((Int(local) + 1) * batch.titleLength)])
    }

    @Test("deduplicated, trimmed batches name each news once and reproduce every title and history")
    func deduplicatedBatch() throws {
        let (corpus, table, samples) = try Self.corpusAndSamples()
        var builder = BatchBuilder(newsCount: corpus.news.count)
        var batch = TrainingBatch()
        builder.build(&batch, samples: samples, range: 2..<8, impressions: table, news: corpus.news, historyLength: 5)
        #expect(batch.batchSize == 6 && batch.width == 5 && batch.historyLength == 5)
        #expect(Set(batch.newsRows).count == batch.newsRows.count, "each news once")
        #expect(batch.newsCount == batch.newsRows.count)
        let longest = batch.newsRows.map { corpus.news.lengths[Int($0)] }.max()!
        #expect(batch.titleLength == Int(max(1, longest)))
        #expect(batch.titles.count == batch.newsCount * batch.titleLength)
        for (offset, sample) in (2..<8).enumerated() {
            let candidates = batch.candidates[(offset * 5)..<((offset + 1) * 5)]
            for (local, global) in zip(candidates, samples.candidates(of: sample)) {
                #expect(batch.newsRows[Int(local)] == global)
                #expect(Self.title(batch, local) == Array(corpus.news.title(at: Int(global)).prefix(batch.titleLength)))
            }
            let history = batch.histories[(offset * 5)..<((offset + 1) * 5)]
            let expected = Array(table.history(of: Int(samples.impressions[sample])))
            #expect(Array(history.prefix(5 - expected.count)).allSatisfy { $0 == -1 }, "front padding")
            #expect(history.suffix(expected.count).map { batch.newsRows[Int($0)] } == expected)
        }
        // Building again (reused buffers) gives the same batch: the local-row map was reset.
        let first = batch.titles
        builder.build(&batch, samples: samples, range: 2..<8, impressions: table, news: corpus.news, historyLength: 5)
        #expect(batch.titles == first)
    }

    @Test("without dedup and trim, every slot gets its own full-width title row")
    func naiveBatch() throws {
        let (corpus, table, samples) = try Self.corpusAndSamples()
        var builder = BatchBuilder(newsCount: corpus.news.count, deduplicate: false, trimTitles: false)
        var batch = TrainingBatch()
        builder.build(&batch, samples: samples, range: 0..<4, impressions: table, news: corpus.news, historyLength: 5)
        let historyEntries = batch.histories.filter { $0 >= 0 }.count
        #expect(batch.newsCount == 4 * 5 + historyEntries)
        #expect(batch.titleLength == 30)
        #expect(batch.candidates.sorted() == Array(Set(batch.candidates)).sorted(), "no index shared")
    }
}
