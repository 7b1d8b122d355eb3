import Foundation
import MIND
import Testing
@testable import Store
import TestSupport

@Suite("Packed corpus")
struct PackedCorpusTests {
    /// A store with the dev impressions of `IngestTests` and the sample train and test files.
    static func store(in directory: TemporaryDirectory) throws -> NewsStore {
        let store = try NewsStore(path: directory.path("p.sqlite"))
        try store.ingest(split: .dev, news: IngestTests.articles, impressions: IngestTests.impressions)
        try store.ingest(split: .train, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_train.tsv"))
        try store.ingest(split: .test, newsFile: Fixtures.sample("news.tsv"),
                         behaviorsFile: Fixtures.sample("behaviors_test.tsv"))
        return store
    }

    @Test("packed rows name the same news, users, times and labels as the impressions, in id order")
    func matchesImpressions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.store(in: directory)
        let corpus = try store.read { try $0.packedCorpus(splits: [.train, .dev, .test]) }

        var titles: [(NewsID, String)] = []
        try store.withConnection { try $0.forEachTitle { titles.append(($0, $1)) } }
        #expect(Array(corpus.newsIDs.prefix(corpus.titles.count)) == titles.map(\.0))
        #expect(corpus.titles == titles.map(\.1))
        #expect(Set(corpus.newsIDs).count == corpus.newsIDs.count)
        #expect(corpus.newsIDs.dropFirst(corpus.titles.count).sorted { $0.rawValue < $1.rawValue }
                == [NewsID("N8"), NewsID("N9")])

        for split in [Split.train, .dev, .test] {
            let rows = try #require(corpus.splits[split])
            var impressions: [Impression] = []
            try store.withConnection { try $0.forEachImpression(split: split) { impressions.append($0) } }
            #expect(rows.count == impressions.count)
            for (row, impression) in impressions.enumerated() {
                #expect(rows.impressionIDs[row] == impression.id)
                #expect(corpus.userIDs[Int(rows.users[row])] == impression.user)
                #expect(rows.times[row] == impression.time)
                let history = rows.history[rows.historyOffsets[row] ..< rows.historyOffsets[row + 1]]
                #expect(history.map { corpus.newsIDs[Int($0)] } == impression.history)
                let range = rows.candidateOffsets[row] ..< rows.candidateOffsets[row + 1]
                #expect(rows.candidates[range].map { corpus.newsIDs[Int($0)] } == impression.candidates.map(\.news))
                #expect(rows.labels[range].map { $0 < 0 ? nil : $0 == 1 } == impression.candidates.map(\.clicked))
            }
        }
        #expect(try store.read { try $0.packedCorpus(splits: [.train]) }.splits.keys.sorted { $0.rawValue < $1.rawValue }
                == [.train])
    }

    @Test("chunked reads give the bulk read's rows and news indices, a chunk at a time, and again on a second pass")
    func chunks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.store(in: directory)
        for split in [Split.train, .dev, .test] {
            let whole = try store.read { try $0.packedCorpus(splits: [split]) }
            let rows = try #require(whole.splits[split])
            try store.read { database in
                var news = try database.packedNews()
                #expect(news.titles == whole.titles && news.count == whole.titles.count)
                for pass in 0..<2 {
                    var chunks: [PackedImpressions] = []
                    try database.forEachImpressionChunk(split: split, rows: 2, news: &news) { chunks.append($0) }
                    #expect(chunks.map(\.count) == Array(repeating: 2, count: rows.count / 2)
                            + (rows.count % 2 == 1 ? [1] : []), "pass \(pass)")
                    #expect(chunks.allSatisfy { $0.users.isEmpty })
                    #expect(chunks.flatMap(\.impressionIDs) == rows.impressionIDs)
                    #expect(chunks.flatMap(\.times) == rows.times)
                    #expect(chunks.flatMap(\.history) == rows.history)
                    #expect(chunks.flatMap(\.candidates) == rows.candidates)
                    #expect(chunks.flatMap(\.labels) == rows.labels)
                    for (index, chunk) in chunks.enumerated() {
                        let first = 2 * index
                        #expect(chunk.historyOffsets == rows.historyOffsets[first...first + chunk.count].map {
                            $0 - rows.historyOffsets[first]
                        })
                        #expect(chunk.candidateOffsets == rows.candidateOffsets[first...first + chunk.count].map {
                            $0 - rows.candidateOffsets[first]
                        })
                    }
                    #expect(news.ids(0..<news.count) == whole.newsIDs)
                }
            }
        }
    }
}

/// `NEWSREC_BENCH_STORE=/path/store.sqlite swift test -c release --filter PackedCorpusBenchmark`: times the bulk read
/// of the train and dev splits of an existing store (skipped without the variable).
@Suite("Packed corpus benchmark")
struct PackedCorpusBenchmark {
    static let path = ProcessInfo.processInfo.environment["NEWSREC_BENCH_STORE"]

    @Test("packedCorpus(splits: [.train, .dev]) on NEWSREC_BENCH_STORE", .enabled(if: path != nil))
    func timing() throws {
        let store = try NewsStore(path: try #require(Self.path), create: false)
        let clock = ContinuousClock()
        let start = clock.now
        let corpus = try store.read { try $0.packedCorpus(splits: [.train, .dev]) }
        let elapsed = clock.now - start
        let rows = corpus.splits.values
        print("packedCorpus: \(elapsed) for \(corpus.newsIDs.count) news, \(corpus.userIDs.count) users, "
              + "\(rows.map(\.count).reduce(0, +)) impressions, \(rows.map(\.candidates.count).reduce(0, +)) "
              + "candidates, \(rows.map(\.history.count).reduce(0, +)) history entries")
        #expect(corpus.titles.count > 0)
    }
}
