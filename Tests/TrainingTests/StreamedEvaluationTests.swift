import Basics
import Foundation
import MIND
import Metrics
import NewsModel
import Store
import Testing
@testable import Training
import TestSupport

/// `Evaluator.evaluate(split:of:…)` (the split streamed from the store, a part at a time) against the split loaded
/// whole and scored in one go, bit for bit.
@Suite("Streamed evaluation")
struct StreamedEvaluationTests {
    /// 60 news, a labelled dev split of 40 impressions and an unlabelled test split of 20, ingested in shuffled
    /// order; histories of up to 12 clicks (longer than the model's 5) and some history clicks and candidates on
    /// news without a news row (`X…`).
    static func store(in folder: TemporaryDirectory) throws -> (NewsStore, Vocabulary) {
        var rng = SplitMix64(seed: 21)
        func next(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
        let news = (0..<60).map { index in
            let title = (0..<(2 + next(7))).map { _ in TinyNRMS.words[next(TinyNRMS.words.count)] }
                .joined(separator: " ")
            return NewsArticle(id: NewsID("N\(index)"), category: "c", subcategory: "s", title: title, abstract: "",
                               url: "")
        }
        func newsID() -> NewsID { next(15) == 0 ? NewsID("X\(next(4))") : NewsID("N\(next(60))") }
        func impressions(_ count: Int, labelled: Bool) -> [Impression] {
            (1...count).map { id in
                let candidates = (0..<(2 + next(6))).map { position in
                    Candidate(news: newsID(), clicked: labelled ? position == 0 || next(4) == 0 : nil)
                }
                return Impression(id: id, user: UserID("U\(next(15))"), time: TinyNRMS.start + Int64(id),
                                  history: (0..<next(13)).map { _ in newsID() }, candidates: candidates)
            }.shuffled(using: &rng)
        }
        let store = try NewsStore(path: folder.path("store.sqlite"))
        try store.ingest(split: .dev, news: news, impressions: impressions(40, labelled: true))
        try store.ingest(split: .test, news: nil, impressions: impressions(20, labelled: false))
        return (store, Vocabulary(buildingFrom: news.map(\.title)))
    }

    @Test("parts of 7 impressions give the metrics and file bytes of the whole split scored at once",
          arguments: [NRMSConfiguration.Encoder.fastformer, .mhsa])
    func streamedEqualsWhole(encoder: NRMSConfiguration.Encoder) throws {
        let folder = try TemporaryDirectory("streamed")
        defer { folder.remove() }
        let (store, vocabulary) = try Self.store(in: folder)
        let model = try NRMSModel(parameters: TinyNRMS.model(vocabulary: vocabulary, encoder: encoder),
                                  vocabulary: vocabulary)
        var whole = Evaluator(model: model, parallelism: .dataParallel(2))
        whole.userChunk = 7
        var streamed = whole
        streamed.userChunksPerPart = 1
        #expect(streamed.partSize == 7 && whole.partSize > 40)
        let configuration = model.configuration
        for split in [Split.dev, .test] {
            let corpus = try TrainingCorpus.load(from: store, vocabulary: vocabulary, splits: [split],
                                                 titleLength: configuration.titleLength,
                                                 historyLength: configuration.historyLength)
            let table = try #require(corpus.splits[split])
            #expect(table.unknownHistoryCount > 0 && corpus.news.undefinedRows.count > 0)
            let expected = try Self.reference(whole, table: table, news: corpus.news)

            let files = (folder.appending("\(split)-whole.txt"), folder.appending("\(split)-whole.tsv"))
            let inMemory = try whole.evaluate(table, news: corpus.news, predictions: files.0, scores: files.1)
            let parts = (folder.appending("\(split)-parts.txt"), folder.appending("\(split)-parts.tsv"))
            var notes: [String] = []
            let fromStore = try streamed.evaluate(split: split, of: store, vocabulary: vocabulary,
                                                  titleLength: configuration.titleLength, predictions: parts.0,
                                                  scores: parts.1) { notes.append($0) }

            #expect(inMemory.metrics == expected.metrics && fromStore.metrics == expected.metrics)
            #expect((split == .dev) == (expected.metrics != nil))
            for report in [inMemory, fromStore] {
                #expect(report.impressions == table.count && report.candidates == table.candidates.count)
                #expect(report.encodedNews == Set(table.candidates).union(table.history).count)
            }
            for (predictions, scores) in [files, parts] {
                #expect(try String(contentsOf: predictions, encoding: .utf8) == expected.predictions)
                #expect(try String(contentsOf: scores, encoding: .utf8) == expected.scores)
            }
            #expect(notes.count == 2, "candidates without a news row and dropped history clicks: \(notes)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.contains("partial") }
                .isEmpty)
    }

    /// The metrics and files of `table` computed as evaluation did before it was streamed: every user vector in one
    /// `encodeUsers` call, every candidate in one `SplitScores`, the lines formatted here.
    static func reference(_ evaluator: Evaluator<NRMSModel>, table: ImpressionTable, news: NewsTable) throws
        -> (metrics: MetricsSummary?, predictions: String, scores: String) {
        var used: [Bool] = []
        table.markNews(in: &used)
        let newsVectors = evaluator.encodeNews(news, used: used)
        let scores = SplitScores(table: table, newsVectors: newsVectors,
                                 userVectors: evaluator.encodeUsers(table, newsVectors: newsVectors),
                                 dimension: evaluator.model.dimension, threads: 2)
        var accumulator = MetricsAccumulator()
        var predictions = "", lines = ""
        for index in 0..<table.count {
            let values = Array(scores.scores(of: index, in: table))
            try accumulator.add(labels: table.labels(of: index).map { $0 == 1 }, scores: values)
            let id = table.impressionIDs[index]
            predictions += "\(id) [" + ScoreOrder.ranks(scores: values).map(String.init).joined(separator: ",") + "]\n"
            for (row, score) in zip(table.candidates(of: index), values) {
                lines += "\(id)\t\(news.ids[Int(row)].rawValue)\t\(score)\n"
            }
        }
        return (table.isLabelled ? accumulator.summary : nil, predictions, lines)
    }

    @Test("an output released without finish leaves no file, and no temporary file, behind")
    func abandonedOutput() throws {
        let folder = try TemporaryDirectory("abandoned")
        defer { folder.remove() }
        let (table, news) = try {
            let (corpus, _) = try EvaluationTests.fixture()
            return (try #require(corpus.splits[.dev]), corpus.news)
        }()
        do {
            let output = try EvaluationOutput(metrics: true, predictions: folder.appending("p.txt"),
                                              scores: folder.appending("s.tsv"), newsIDs: news.ids)
            try output.add(SplitScores(scores: [Float](repeating: 0.5, count: table.candidates.count)), of: table)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }
}
