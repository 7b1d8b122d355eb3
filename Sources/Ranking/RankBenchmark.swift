import Basics
import Foundation
import MIND
import Store

/// The ranking benchmark behind `newsrec bench --rank`: latency of rank queries on a MIND-small-sized synthetic
/// store, with the user-vector cache warm and cold, and the time to the top 10 of the whole catalogue.
public enum RankBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        /// News in the synthetic store (MIND-small has 65,238).
        public var newsCount = 65_238
        /// Users, each with one impression on the last day and a `historyLength`-click history.
        public var userCount = 1_000
        /// Candidates per rank query.
        public var candidateCount = 100
        /// Warm queries (one user, everything cached) timed.
        public var warmQueries = 2_000
        /// Cold queries (a different user each, user vector not cached, news vectors cached) timed.
        public var coldQueries = 500
        /// Whole-catalogue top-10 queries timed after the first (which loads the matrix).
        public var catalogueQueries = 20
        /// Seed of the synthetic data.
        public var seed: UInt64 = 7

        public init() {}
    }

    /// The measured figures, in milliseconds.
    public struct Report: Sendable, Codable {
        public var newsCount: Int
        public var userCount: Int
        public var candidateCount: Int
        public var historyLength: Int
        public var dimension: Int
        /// Wall time to build and ingest the synthetic store, and to embed every news.
        public var ingestSeconds: Double
        public var embedSeconds: Double
        public var warm: Latency
        public var cold: Latency
        /// First whole-catalogue top-10 (loads all vectors into one matrix) and the later ones.
        public var catalogueFirstMilliseconds: Double
        public var catalogue: Latency

        /// Markdown lines for BENCHMARKS.md and the terminal.
        public var markdown: String {
            """
            | query | p50 ms | p99 ms | mean ms | CPU p50 ms | n |
            |---|---|---|---|---|---|
            | rank \(candidateCount) candidates, warm user vector | \(row(warm)) |
            | rank \(candidateCount) candidates, cold user vector (\(historyLength) cached clicks → user encoder) | \(row(cold)) |
            | top 10 of all \(newsCount) cached news, first query (loads matrix) | \(f(catalogueFirstMilliseconds)) | | | | 1 |
            | top 10 of all \(newsCount) cached news, matrix loaded | \(row(catalogue)) |

            Store: \(newsCount) news, \(userCount) users, vectors of \(dimension) float32; build + ingest \(f(ingestSeconds)) s, \
            embed all news \(f(embedSeconds)) s.
            """
        }

        private func f(_ value: Double) -> String { String(format: value < 10 ? "%.3f" : "%.1f", value) }

        private func row(_ latency: Latency) -> String {
            "\(f(latency.p50)) | \(f(latency.p99)) | \(f(latency.mean)) | \(f(latency.cpuP50)) | \(latency.count)"
        }
    }

    /// Latency percentiles of a series of queries, in milliseconds: wall clock, and the CPU time of the process (all
    /// its threads), which on a machine shared with other work shows what a query costs without the waits for a
    /// core.
    public struct Latency: Sendable, Codable {
        public var p50: Double
        public var p99: Double
        public var mean: Double
        public var cpuP50: Double
        public var count: Int

        /// Percentiles (nearest rank) of `wall` and `cpu` samples (milliseconds).
        public init(wall: [Double], cpu: [Double]) {
            p50 = Self.percentile(0.5, of: wall)
            p99 = Self.percentile(0.99, of: wall)
            mean = wall.isEmpty ? 0 : wall.reduce(0, +) / Double(wall.count)
            cpuP50 = Self.percentile(0.5, of: cpu)
            count = wall.count
        }

        /// The nearest-rank `p` percentile of `samples`.
        static func percentile(_ p: Double, of samples: [Double]) -> Double {
            let sorted = samples.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
        }
    }

    /// Wall and process-CPU milliseconds of each call of `body`.
    struct Stopwatch {
        var wall: [Double] = []
        var cpu: [Double] = []

        mutating func time<T>(_ body: () throws -> T) rethrows -> T {
            let wall0 = DispatchTime.now().uptimeNanoseconds, cpu0 = Self.processCPUNanoseconds()
            let result = try body()
            cpu.append(Double(Self.processCPUNanoseconds() - cpu0) / 1e6)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e6)
            return result
        }

        var latency: Latency { Latency(wall: wall, cpu: cpu) }

        static func processCPUNanoseconds() -> UInt64 {
            var spec = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
            return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
        }
    }

    /// Builds the synthetic store at `storePath` (which must not exist), embeds it with the encoder `makeEncoder`
    /// returns, and times rank queries.
    ///
    /// - Parameters:
    ///   - modelID: the id the model is registered under; `config` its configuration text.
    ///   - log: progress lines (stderr in the CLI).
    public static func run(storePath: String, options: Options, modelID: String, config: String,
                           encoder: some RankingEncoder, log: (String) -> Void) throws -> Report {
        let clock = ContinuousClock()
        let history = encoder.historyLength
        log("building a synthetic store: \(options.newsCount) news, \(options.userCount) users …")
        var start = clock.now
        let data = SyntheticRankingData(options: options, historyLength: history)
        try NewsStore(path: storePath).ingest(split: .dev, news: data.news, impressions: data.impressions)
        let ingestSeconds = seconds(clock.now - start)

        let ranker = try Ranker(storePath: storePath, encoder: encoder, modelID: modelID, config: config,
                                checkpoint: "(benchmark)")
        start = clock.now
        var lastReport = clock.now
        try ranker.embedMissingNews { done, total in
            if clock.now - lastReport > .seconds(2) || done == total {
                lastReport = clock.now
                log("embedded \(done)/\(total) news")
            }
        }
        let embedSeconds = seconds(clock.now - start)

        // Warm: one user, user vector and candidate vectors cached by a first query.
        let warmUser = data.users[0]
        let warmCandidates = data.candidates(for: 0)
        _ = try ranker.rank(user: warmUser, candidates: warmCandidates)
        var warm = Stopwatch()
        for query in 0 ..< options.warmQueries {
            let candidates = query % 2 == 0 ? warmCandidates : data.candidates(for: 0, shift: 1)
            let result = try warm.time { try ranker.ranking(user: warmUser, candidates: candidates, top: 10) }
            guard case .personalized(_, cachedUserVector: true) = result.method else {
                throw RankingError.benchmarkInvariant("a warm query recomputed the user vector")
            }
        }
        log("warm queries done")

        // Cold: each query a different user whose vector is not cached yet; news vectors are cached.
        var cold = Stopwatch()
        for query in 0 ..< min(options.coldQueries, data.users.count - 1) {
            let index = query + 1
            let candidates = data.candidates(for: index)
            let result = try cold.time { try ranker.ranking(user: data.users[index], candidates: candidates, top: 10) }
            guard case .personalized(_, cachedUserVector: false) = result.method else {
                throw RankingError.benchmarkInvariant("a cold query found a cached user vector")
            }
        }
        log("cold queries done")

        var first = Stopwatch()
        _ = try first.time { try ranker.rankCatalogue(user: warmUser, top: 10) }
        var catalogue = Stopwatch()
        for _ in 0 ..< options.catalogueQueries {
            _ = try catalogue.time { try ranker.rankCatalogue(user: warmUser, top: 10) }
        }
        return Report(newsCount: options.newsCount, userCount: options.userCount,
                      candidateCount: options.candidateCount, historyLength: history, dimension: encoder.dimension,
                      ingestSeconds: ingestSeconds, embedSeconds: embedSeconds, warm: warm.latency,
                      cold: cold.latency, catalogueFirstMilliseconds: first.wall[0],
                      catalogue: catalogue.latency)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// A MIND-small-sized synthetic data set for the benchmark: titles of 8–14 words from a 20k-word vocabulary,
/// users with a full history and one impression each on the last day.
struct SyntheticRankingData {
    var news: [NewsArticle] = []
    var users: [UserID] = []
    var impressions: [Impression] = []
    private let newsCount: Int
    private let candidateCount: Int
    private let seed: UInt64

    init(options: RankBenchmark.Options, historyLength: Int) {
        newsCount = options.newsCount
        candidateCount = options.candidateCount
        seed = options.seed
        var state = options.seed
        func next() -> UInt64 {  // SplitMix64
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        let categories = ["news", "sports", "finance", "lifestyle", "travel", "health", "autos", "video"]
        news = (0 ..< options.newsCount).map { index in
            let words = (0 ..< 8 + Int(next() % 7)).map { _ in "w\(next() % 20_000)" }
            return NewsArticle(id: NewsID("N\(index)"), category: categories[Int(next() % 8)], subcategory: "sub",
                               title: words.joined(separator: " "), abstract: "", url: "")
        }
        let lastDay: Int64 = 1_573_776_000
        for user in 0 ..< options.userCount {
            let id = UserID("U\(user)")
            users.append(id)
            let history = (0 ..< historyLength).map { _ in NewsID("N\(next() % UInt64(options.newsCount))") }
            let shown = (0 ..< 20).map { index in
                Candidate(news: NewsID("N\(next() % UInt64(options.newsCount))"), clicked: index == 0)
            }
            impressions.append(Impression(id: user + 1, user: id, time: lastDay + Int64(next() % 86_400),
                                          history: history, candidates: shown))
        }
    }

    /// `candidateCount` distinct news for user `index` (a fixed stride walk through the catalogue).
    func candidates(for index: Int, shift: Int = 0) -> [NewsID] {
        let stride = 611 + 2 * (index % 50)
        let offset = (index * 7919 + Int(seed % 1000)) % newsCount
        return (0 ..< candidateCount).map { NewsID("N\((offset + ($0 + shift) * stride) % newsCount)") }
    }
}
