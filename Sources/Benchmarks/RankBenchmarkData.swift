import Foundation
import TensorMath
import MIND
import NewsModel
import Ranking
import Store
import Training

/// The synthetic store of the ranking benchmark: its news (ids and titles, in store order) and users.
struct RankBenchmarkData {
    var newsIDs: [NewsID] = []
    var titles: [String] = []
    /// Users with an impression, in order of first appearance (train, dev, test).
    var users: [UserID] = []
    let candidateCount: Int
    let seed: UInt64

    /// Generates the dataset of `options` with its whole catalogue, ingests it into a new store at `storePath`,
    /// and reads back the news and users.
    static func build(storePath: String, options: RankBenchmark.Options, log: (String) -> Void) throws
        -> RankBenchmarkData {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("newsrec-bench-rank-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticStore.generate(options.dataset, into: directory, store: URL(fileURLWithPath: storePath),
                                    threads: options.threads, wholeCatalogue: true, log: log)
        var data = RankBenchmarkData(candidateCount: options.candidateCount, seed: options.seed)
        let store = try NewsStore(path: storePath, create: false)
        let corpus = try store.read { try $0.packedCorpus(splits: Split.allCases) }
        data.newsIDs = Array(corpus.newsIDs.prefix(corpus.titles.count))
        data.titles = corpus.titles
        data.users = corpus.userIDs
        guard data.newsIDs.count >= 2 * options.candidateCount else {
            throw BenchmarkError.notEnoughData("\(data.newsIDs.count) news for \(options.candidateCount) candidates "
                + "per query (at least twice as many are needed)")
        }
        return data
    }

    /// The users with a click history and its length, longest first (ties in order of first appearance).
    func usersByHistoryLength(ranker: Ranker) throws -> [(user: UserID, clicks: Int)] {
        var found: [(user: UserID, clicks: Int)] = []
        for user in users {
            let clicks = try ranker.history(of: user)?.count ?? 0
            if clicks > 0 { found.append((user, clicks)) }
        }
        let cap = ranker.historyLength
        return found.enumerated()
            .sorted { a, b in
                let (x, y) = (min(a.element.clicks, cap), min(b.element.clicks, cap))
                return x != y ? x > y : a.offset < b.offset
            }
            .map(\.element)
    }

    /// `candidateCount` distinct news for query `index`: a fixed stride walk through the catalogue.
    func candidates(for index: Int, shift: Int = 0) -> [NewsID] {
        let count = newsIDs.count
        let stride = 611 + 2 * (index % 50)
        let offset = (index * 7919 + Int(seed % 1000)) % count
        var chosen = Set<Int>(), result: [NewsID] = []
        var step = 0
        while result.count < candidateCount {
            var position = (offset + (step + shift) * stride) % count
            while chosen.contains(position) { position = (position + 1) % count }
            chosen.insert(position)
            result.append(newsIDs[position])
            step += 1
        }
        return result
    }
}

/// The model the ranking benchmark embeds and ranks with.
public enum RankingBenchmarkModel: Sendable {
    /// A trained checkpoint (or a `newsrec train` run directory: its latest checkpoint).
    case checkpoint(URL)
    /// A randomly initialised NRMS/Fastformer of the MIND sizes (word_dim 300, hidden 256, 16 heads, title 30,
    /// history 50) whose vocabulary is the store's titles' words.
    case randomlyInitialised(seed: UInt64)

    /// A ranker on the store at `storePath` with this model; `titles` are the store's titles.
    func ranker(storePath: String, titles: [String]) throws -> Ranker {
        switch self {
        case let .checkpoint(url):
            return try Ranker(storePath: storePath, checkpoint: url)
        case let .randomlyInitialised(seed):
            let vocabulary = Vocabulary(buildingFrom: titles)
            let configuration = NRMSConfiguration(vocabularySize: vocabulary.count)
            let parameters = try NRMSParameters(configuration: configuration, seed: seed)
            let encoder = try NRMSModel(parameters: parameters, vocabulary: vocabulary)
            BLAS.setThreadCount(1)
            let config = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
            return try Ranker(storePath: storePath, encoder: encoder, modelID: "random-init-mind", config: config,
                              checkpoint: "(benchmark)")
        }
    }
}
