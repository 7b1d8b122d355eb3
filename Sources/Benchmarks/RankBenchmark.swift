import Foundation
import MIND
import Ranking
import SyntheticMIND

/// The ranking benchmark behind `newsrec bench rank`: latency of rank queries on a synthetic store with the
/// user-vector cache warm and cold, and the time to the top 10 of the whole catalogue.
///
/// The store holds a SyntheticMIND dataset (`SyntheticStore`) with its whole catalogue of news: titles of about 11
/// words from topic vocabularies, and users whose histories are their clicks in the 4 weeks before the impressions.
/// The users with the longest histories are queried (the ranker reads at most the model's history length of them).
public enum RankBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        /// News in the synthetic catalogue, all of them in the store (MIND-small has 65,238).
        public var newsCount = 65_238
        /// The synthetic user population.
        public var userCount = 1_000
        /// Impressions over train, dev and test; they give the users their histories.
        public var impressionCount = 3_000
        /// Candidates per rank query.
        public var candidateCount = 100
        /// Warm queries (one user, everything cached) timed.
        public var warmQueries = 2_000
        /// Cold queries (a different user each, user vector not cached, news vectors cached) timed; at most the
        /// number of users with a history − 1.
        public var coldQueries = 500
        /// Whole-catalogue top-10 queries timed after the first (which loads the matrix).
        public var catalogueQueries = 20
        /// Seed of the synthetic data.
        public var seed: UInt64 = 7
        /// Threads generating the data.
        public var threads = ProcessInfo.processInfo.activeProcessorCount

        public init() {}

        /// The synthetic dataset of these options.
        var dataset: SyntheticMINDConfiguration {
            SyntheticMINDConfiguration(users: userCount, news: newsCount, impressions: impressionCount, seed: seed)
        }
    }

    /// The measured figures, in milliseconds.
    public struct Report: Sendable, Codable {
        /// News in the store (all of them cached).
        public var newsCount: Int
        /// Users with a click history in the store.
        public var userCount: Int
        public var candidateCount: Int
        /// The model's history length: the most clicks a user vector is computed from.
        public var historyLength: Int
        /// The mean number of clicks the cold queries' user vectors were computed from.
        public var coldHistoryMean: Double
        public var dimension: Int
        /// Wall time to generate and ingest the synthetic store, and to embed every news.
        public var ingestSeconds: Double
        public var embedSeconds: Double
        public var warm: Latency
        public var cold: Latency
        /// First whole-catalogue top-10 (loads all vectors into one matrix) and the later ones.
        public var catalogueFirstMilliseconds: Double
        public var catalogue: Latency
    }

    /// Builds the synthetic store at `storePath` (which must not exist), embeds every news with `model`, and times
    /// rank queries. `log` receives progress lines.
    public static func run(storePath: String, options: Options, model: RankingBenchmarkModel,
                           log: (String) -> Void) throws -> Report {
        guard !FileManager.default.fileExists(atPath: storePath) else { throw BenchmarkError.storeExists(storePath) }
        var start = Timing.now()
        let data = try RankBenchmarkData.build(storePath: storePath, options: options, log: log)
        let ingestSeconds = Timing.now() - start
        let ranker = try model.ranker(storePath: storePath, titles: data.titles)
        start = Timing.now()
        var lastReport = start
        try ranker.embedMissingNews { done, total in
            if Timing.now() - lastReport > 2 || done == total {
                lastReport = Timing.now()
                log("embedded \(done)/\(total) news")
            }
        }
        let embedSeconds = Timing.now() - start
        let users = try data.usersByHistoryLength(ranker: ranker)
        guard users.count >= 2 else {
            throw BenchmarkError.notEnoughData("\(users.count) users with a click history (at least 2 are needed)")
        }
        let warm = try timeWarmQueries(ranker: ranker, user: users[0].user, data: data, count: options.warmQueries)
        log("warm queries done")
        let coldUsers = Array(users.dropFirst().prefix(options.coldQueries))
        let cold = try timeColdQueries(ranker: ranker, users: coldUsers.map(\.user), data: data)
        log("cold queries done")
        var first = Stopwatch()
        _ = try first.time { try ranker.rankCatalogue(user: users[0].user, top: 10) }
        var catalogue = Stopwatch()
        for _ in 0 ..< options.catalogueQueries {
            _ = try catalogue.time { try ranker.rankCatalogue(user: users[0].user, top: 10) }
        }
        let clicksRead = coldUsers.map { Double(min($0.clicks, ranker.historyLength)) }
        return Report(newsCount: data.newsIDs.count, userCount: users.count, candidateCount: options.candidateCount,
                      historyLength: ranker.historyLength,
                      coldHistoryMean: clicksRead.reduce(0, +) / Double(max(1, clicksRead.count)),
                      dimension: ranker.model.dimension, ingestSeconds: ingestSeconds, embedSeconds: embedSeconds,
                      warm: warm, cold: cold, catalogueFirstMilliseconds: first.wall[0],
                      catalogue: catalogue.latency)
    }

    /// `count` queries for one user whose vector and candidates are cached (two alternating candidate lists).
    private static func timeWarmQueries(ranker: Ranker, user: UserID, data: RankBenchmarkData,
                                        count: Int) throws -> Latency {
        let lists = [data.candidates(for: 0), data.candidates(for: 0, shift: 1)]
        for candidates in lists { _ = try ranker.rank(user: user, candidates: candidates) }
        var stopwatch = Stopwatch()
        for query in 0 ..< count {
            let result = try stopwatch.time { try ranker.ranking(user: user, candidates: lists[query % 2], top: 10) }
            guard case .personalized(_, cachedUserVector: true) = result.method else {
                throw BenchmarkError.invariantBroken("a warm query recomputed the user vector")
            }
        }
        return stopwatch.latency
    }

    /// One query per user, none of whose vectors is cached yet (the news vectors are).
    private static func timeColdQueries(ranker: Ranker, users: [UserID], data: RankBenchmarkData) throws -> Latency {
        var stopwatch = Stopwatch()
        for (index, user) in users.enumerated() {
            let candidates = data.candidates(for: index + 1)
            let result = try stopwatch.time { try ranker.ranking(user: user, candidates: candidates, top: 10) }
            guard case .personalized(_, cachedUserVector: false) = result.method else {
                throw BenchmarkError.invariantBroken("a cold query found a cached user vector")
            }
        }
        return stopwatch.latency
    }
}

extension RankBenchmark.Report: BenchmarkReport {
    public static var jsonFormatting: JSONEncoder.OutputFormatting { [.sortedKeys] }

    /// Markdown lines for BENCHMARKS.md and the terminal.
    public var text: String {
        """
        | query | p50 ms | p99 ms | mean ms | CPU p50 ms | n |
        |---|---|---|---|---|---|
        | rank \(candidateCount) candidates, warm user vector | \(row(warm)) |
        | rank \(candidateCount) candidates, cold user vector (\(String(format: "%.1f", coldHistoryMean)) cached \
        clicks on average, at most \(historyLength) → user encoder) | \(row(cold)) |
        | top 10 of all \(newsCount) cached news, first query (loads matrix) | \(f(catalogueFirstMilliseconds)) | | | | 1 |
        | top 10 of all \(newsCount) cached news, matrix loaded | \(row(catalogue)) |

        Store: \(newsCount) news, \(userCount) users with a click history, vectors of \(dimension) float32; \
        generate + ingest \(f(ingestSeconds)) s, embed all news \(f(embedSeconds)) s.
        """
    }

    private func f(_ value: Double) -> String { String(format: value < 10 ? "%.3f" : "%.1f", value) }

    private func row(_ latency: Latency) -> String {
        "\(f(latency.p50)) | \(f(latency.p99)) | \(f(latency.mean)) | \(f(latency.cpuP50)) | \(latency.count)"
    }
}
