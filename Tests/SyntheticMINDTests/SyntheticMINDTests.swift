import Foundation
import Synchronization
import MIND
import Metrics
import Testing
@testable import SyntheticMIND
import TestSupport

/// A generated dataset shared by the tests of this file (generated once per test process).
struct GeneratedDataset: Sendable {
    let directory: URL
    let report: SyntheticMINDReport
    let configuration: SyntheticMINDConfiguration

    static let shared: GeneratedDataset = {
        let configuration = SyntheticMINDConfiguration(users: 400, news: 4_000, impressions: 2_000, seed: 42,
                                                       wordDimension: 24)
        do {
            let directory = try TemporaryDirectory("SyntheticMINDTests-shared").url
            // Shared by every test of the process: removed when the test process exits.
            atexit { GeneratedDataset.removeShared() }
            sharedDirectory.withLock { $0 = directory }
            let report = try SyntheticMINDGenerator(configuration: configuration).write(to: directory)
            return GeneratedDataset(directory: directory, report: report, configuration: configuration)
        } catch {
            fatalError("generation failed: \(error)")
        }
    }()

    /// Where `shared` was generated, for its removal at exit.
    static let sharedDirectory = Mutex<URL?>(nil)

    static func removeShared() {
        if let directory = sharedDirectory.withLock({ $0 }) { try? FileManager.default.removeItem(at: directory) }
    }

    func url(_ path: String) -> URL { directory.appendingPathComponent(path) }

    func news(_ split: Split) throws -> [NewsArticle] {
        try NewsReader(url: url("\(split.rawValue)/news.tsv")).readAll()
    }

    func behaviors(_ split: Split) throws -> [Impression] {
        try BehaviorsReader(url: url("\(split.rawValue)/behaviors.tsv")).readAll()
    }
}

/// Every file of a dataset directory, by relative path.
func contents(of directory: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
    while let url = enumerator?.nextObject() as? URL {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            files[String(url.path.dropFirst(directory.path.count))] = try Data(contentsOf: url)
        }
    }
    return files
}

@Suite("Synthetic MIND files")
struct SyntheticMINDFileTests {
    let dataset = GeneratedDataset.shared

    @Test("the directory holds exactly the documented files")
    func layout() throws {
        let files = try contents(of: dataset.directory).keys.sorted()
        #expect(files == ["/dev/behaviors.tsv", "/dev/news.tsv", "/glove.txt", "/leaderboard/ref/truth.txt",
                          "/oracle.json", "/test/behaviors.tsv", "/test/news.tsv", "/train/behaviors.tsv",
                          "/train/news.tsv"])
        let report = try JSONDecoder().decode(SyntheticMINDReport.self, from: Data(contentsOf: dataset.url("oracle.json")))
        #expect(report == dataset.report)
    }

    @Test("news.tsv parses as MIND: ids, categories, some empty abstracts, entity offsets into the title")
    func news() throws {
        let articles = try dataset.news(.train)
        #expect(!articles.isEmpty)
        let categories = Set(Lexicon.categories.map(\.name))
        var withEntities = 0
        for article in articles {
            #expect(article.id.rawValue.hasPrefix("N") && Int(article.id.rawValue.dropFirst()) != nil)
            #expect(categories.contains(article.category))
            #expect(article.url.hasPrefix("https://assets.msn.com/labs/mind/AA") && article.url.hasSuffix(".html"))
            #expect(!article.title.isEmpty)
            if !article.titleEntities.isEmpty { withEntities += 1 }
            for entity in article.titleEntities {
                #expect(entity.surfaceForms.count == 1)
                #expect(entity.wikidataID.hasPrefix("Q"))
                for offset in entity.occurrenceOffsets {
                    let title = Array(article.title.unicodeScalars)
                    let surface = Array(entity.surfaceForms[0].unicodeScalars)
                    #expect(offset + surface.count <= title.count)
                    #expect(Array(title[offset..<min(title.count, offset + surface.count)]) == surface)
                }
            }
            for entity in article.abstractEntities {
                let abstract = Array(article.abstract.unicodeScalars)
                let surface = Array(entity.surfaceForms[0].unicodeScalars)
                for offset in entity.occurrenceOffsets {
                    #expect(Array(abstract[offset..<min(abstract.count, offset + surface.count)]) == surface)
                }
            }
        }
        let emptyAbstracts = articles.filter { $0.abstract.isEmpty }.count
        #expect(emptyAbstracts > 0 && emptyAbstracts < articles.count / 5)
        #expect(withEntities > articles.count / 3 && withEntities < articles.count)
        #expect(Set(articles.map(\.id)).count == articles.count)
        let words = articles.map { Double(Tokenizer.tokenize($0.title).filter { $0.first!.isLetter || $0.first!.isNumber }.count) }
        let meanWords = words.reduce(0, +) / Double(words.count)
        #expect(meanWords > 9 && meanWords < 14)
    }

    @Test("behaviors.tsv parses as MIND: ids 1…N, times in the split's period, labels only outside test")
    func behaviors() throws {
        for split in Split.allCases {
            let impressions = try dataset.behaviors(split)
            #expect(impressions.count == dataset.configuration.impressions(in: split))
            let known = Set(try dataset.news(split).map(\.id))
            let period = Timeline.period(of: split)
            for (index, impression) in impressions.enumerated() {
                #expect(impression.id == index + 1)
                #expect(impression.user.rawValue.hasPrefix("U"))
                #expect(period.contains(impression.time))
                #expect(impression.candidates.count >= 5)
                #expect(Set(impression.candidates.map(\.news)).count == impression.candidates.count)
                #expect(Set(impression.history).count == impression.history.count)
                for news in impression.history { #expect(known.contains(news)) }
                for candidate in impression.candidates { #expect(known.contains(candidate.news)) }
                let clicks = impression.candidates.filter { $0.clicked == true }.count
                if split == .test {
                    #expect(impression.candidates.allSatisfy { $0.clicked == nil })
                } else {
                    #expect(clicks >= 1 && clicks < impression.candidates.count)
                }
            }
        }
    }

    @Test("the split's news.tsv holds exactly the news its behaviors reference")
    func newsCoverage() throws {
        for split in Split.allCases {
            var referenced = Set<NewsID>()
            for impression in try dataset.behaviors(split) {
                referenced.formUnion(impression.history)
                referenced.formUnion(impression.candidates.map(\.news))
            }
            #expect(Set(try dataset.news(split).map(\.id)) == referenced)
        }
    }

    @Test("histories: train and dev share a user's history weeks; test adds the train and dev clicks")
    func histories() throws {
        var trainHistory: [UserID: [NewsID]] = [:]
        var clicks: [UserID: [NewsID]] = [:]
        for split in [Split.train, .dev] {
            for impression in try dataset.behaviors(split).sorted(by: { $0.time < $1.time }) {
                if let known = trainHistory[impression.user] {
                    #expect(known == impression.history)
                } else {
                    trainHistory[impression.user] = impression.history
                }
                for candidate in impression.candidates where candidate.clicked == true {
                    if !(clicks[impression.user] ?? []).contains(candidate.news) {
                        clicks[impression.user, default: []].append(candidate.news)
                    }
                }
            }
        }
        var checked = 0
        for impression in try dataset.behaviors(.test) {
            guard let base = trainHistory[impression.user] else { continue }
            #expect(impression.history == base + (clicks[impression.user] ?? []))
            checked += 1
        }
        #expect(checked > 0)
        let emptyHistories = try dataset.behaviors(.train).filter { $0.history.isEmpty }.count
        #expect(emptyHistories > 0)
    }

    @Test("CTR is MIND-like and a few news collect most impressions")
    func clickStatistics() throws {
        var shown: [NewsID: Int] = [:]
        var candidates = 0
        var clicks = 0
        for impression in try dataset.behaviors(.train) {
            for candidate in impression.candidates {
                shown[candidate.news, default: 0] += 1
                candidates += 1
                if candidate.clicked == true { clicks += 1 }
            }
        }
        let ctr = Double(clicks) / Double(candidates)
        #expect(ctr > 0.03 && ctr < 0.055)
        #expect(ctr == dataset.report.train.clickThroughRate)
        #expect(Double(candidates) / Double(dataset.report.train.impressions) > 25)
        let counts = shown.values.sorted(by: >)
        let top = counts.prefix((counts.count + 9) / 10).reduce(0, +)
        #expect(Double(top) / Double(candidates) > 0.5)
        #expect(abs(Double(top) / Double(candidates) - dataset.report.concentration.top10PercentImpressionShare) < 1e-12)
    }

    @Test("truth.txt holds the hidden test labels; a random prediction scores ≈ 0.5, the oracle well above")
    func leaderboard() throws {
        let test = try dataset.behaviors(.test)
        let truth = try TruthFile.read(from: dataset.url("leaderboard/ref/truth.txt"))
        #expect(truth.map(\.impressionID) == test.map(\.id))
        #expect(zip(truth, test).allSatisfy { $0.values.count == $1.candidates.count })
        #expect(truth.allSatisfy { $0.values.contains(1) && $0.values.contains(0) })
        let clicks = truth.reduce(0) { $0 + $1.values.reduce(0, +) }
        #expect(clicks == dataset.report.test.clicks)

        // Random ranks through the leaderboard path.
        var random = SystemRandomNumberGenerator()
        let prediction = try TemporaryDirectory("prediction").url
        try FileManager.default.createDirectory(at: prediction, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: prediction) }
        let lines = truth.map { line in
            LeaderboardLine(impressionID: line.impressionID, values: Array(1...line.values.count).shuffled(using: &random))
        }
        try PredictionFile.write(lines, to: prediction.appendingPathComponent("prediction.txt"))
        let summary = try LeaderboardScorer.score(prediction: prediction.appendingPathComponent("prediction.txt"),
                                                  truth: dataset.url("leaderboard/ref/truth.txt"))
        #expect(abs(summary.auc - 0.5) < 0.05)

        let report = dataset.report
        #expect(report.devMetrics.oracle.auc > 0.7)
        #expect(report.testMetrics.oracle.auc > 0.7)
        #expect(abs(report.devMetrics.random.auc - 0.5) < 0.05)
        #expect(report.devMetrics.oracle.auc > report.devMetrics.popularity.auc)
        #expect(report.devMetrics.oracle.mrr > report.devMetrics.random.mrr + 0.1)
        #expect(report.devMetrics.oracle.skipped == 0)
        #expect(report.devMetrics.oracle.impressions == dataset.configuration.impressions(in: .dev))
    }

    @Test("glove.txt: the configured dimension, most but not all title words, vectors that tell topics apart")
    func wordVectors() throws {
        let vectors = try WordVectors(contentsOf: dataset.url("glove.txt"))
        #expect(vectors.dimension == dataset.configuration.wordDimension)
        #expect(vectors.count == dataset.report.wordVectors)
        let articles = try dataset.news(.train)
        var tokens = 0
        var covered = 0
        var examples: [(category: String, vector: [Double])] = []
        for article in articles {
            var sum = [Double](repeating: 0, count: vectors.dimension)
            for token in Tokenizer.tokenize(article.title) where token.first!.isLetter || token.first!.isNumber {
                tokens += 1
                if let vector = vectors.vector(for: token) {
                    covered += 1
                    for d in 0..<vectors.dimension { sum[d] += Double(vector[d]) }
                }
            }
            examples.append((article.category, sum))
        }
        let coverage = Double(covered) / Double(tokens)
        #expect(coverage > 0.8 && coverage < 0.995)

        // Nearest category centroid (fit on even articles, tested on odd ones) of the mean title vector.
        var centroids: [String: [Double]] = [:]
        for (index, example) in examples.enumerated() where index % 2 == 0 {
            var centroid = centroids[example.category] ?? [Double](repeating: 0, count: vectors.dimension)
            for d in centroid.indices { centroid[d] += example.vector[d] }
            centroids[example.category] = centroid
        }
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
            return norms > 0 ? dot / norms : 0
        }
        var correct = 0
        var total = 0
        for (index, example) in examples.enumerated() where index % 2 == 1 {
            let best = centroids.max { cosine(example.vector, $0.value) < cosine(example.vector, $1.value) }!.key
            if best == example.category { correct += 1 }
            total += 1
        }
        #expect(Double(correct) / Double(total) > 0.6)
    }
}

@Suite("Synthetic MIND generation")
struct SyntheticMINDGenerationTests {
    @Test("the same seed gives byte-identical files whatever the thread count; another seed differs")
    func determinism() throws {
        let configuration = SyntheticMINDConfiguration(users: 60, news: 200, impressions: 150, seed: 9,
                                                       wordDimension: 8)
        let first = try TemporaryDirectory("first").url
        let second = try TemporaryDirectory("second").url
        let third = try TemporaryDirectory("third").url
        defer { for url in [first, second, third] { try? FileManager.default.removeItem(at: url) } }
        try SyntheticMINDGenerator(configuration: configuration, threads: 1).write(to: first)
        try SyntheticMINDGenerator(configuration: configuration, threads: 3).write(to: second)
        var other = configuration
        other.seed = 10
        try SyntheticMINDGenerator(configuration: other, threads: 2).write(to: third)
        let a = try contents(of: first)
        let b = try contents(of: second)
        let c = try contents(of: third)
        #expect(a.count == 9)
        #expect(a == b)
        for (path, data) in a {
            #expect(c[path] != data, "\(path) did not change with the seed")
        }
    }

    @Test("truth.txt follows test/behaviors.tsv line for line when users span several blocks and workers")
    func truthAcrossBlocks() throws {
        let users = 3 * SyntheticMINDGenerator.blockSize + 7
        let configuration = SyntheticMINDConfiguration(users: users, news: 300, impressions: 900, seed: 5,
                                                       wordDimension: 4)
        let directory = try TemporaryDirectory("blocks").url
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticMINDGenerator(configuration: configuration, threads: 2).write(to: directory)
        let test = try BehaviorsReader(url: directory.appendingPathComponent("test/behaviors.tsv")).readAll()
        let truth = try TruthFile.read(from: directory.appendingPathComponent("leaderboard/ref/truth.txt"))
        #expect(test.count > 100)
        #expect(truth.map(\.impressionID) == test.map(\.id))
        #expect(zip(truth, test).allSatisfy { $0.values.count == $1.candidates.count })
    }

    @Test("times are written in MIND's format and read back by the MIND reader")
    func timeFormat() {
        func text(_ seconds: Int64) -> String {
            var bytes: [UInt8] = []
            Timeline.appendTime(seconds, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        // 2019-11-15 00:00:00 UTC = 1573776000; + 10:22:32 = 1573813352.
        #expect(text(1_573_813_352) == "11/15/2019 10:22:32 AM")
        #expect(text(1_573_776_000) == "11/15/2019 12:00:00 AM")
        #expect(text(1_573_776_000 + 12 * 3600 + 5) == "11/15/2019 12:00:05 PM")
        #expect(text(Timeline.trainStart + 23 * 3600 + 59 * 60 + 59) == "11/9/2019 11:59:59 PM")
        for seconds in stride(from: Timeline.publishStart, to: Timeline.testEnd, by: 7_919) {
            #expect(MINDTime.parse(text(seconds)) == seconds)
        }
    }

    @Test("out-of-range sizes are rejected with a message naming the option")
    func validation() {
        #expect(throws: SyntheticMINDError.invalidConfiguration("news must be in 20…20000000, got 5")) {
            try SyntheticMINDGenerator(configuration: SyntheticMINDConfiguration(news: 5))
        }
        #expect(throws: SyntheticMINDError.self) {
            try SyntheticMINDGenerator(configuration: SyntheticMINDConfiguration(targetCTR: 0.9))
        }
    }

    @Test("the split proportions are 70/15/15 and add up")
    func splits() {
        let configuration = SyntheticMINDConfiguration(impressions: 1_001)
        #expect(configuration.impressions(in: .dev) == 150)
        #expect(configuration.impressions(in: .test) == 150)
        #expect(configuration.impressions(in: .train) == 701)
    }

    @Test("random helpers: alias table and Zipf sampler follow their weights")
    func samplers() {
        var random = SyntheticRandom(seed: 3, stream: .calibration)
        let table = AliasTable(weights: [1, 0, 3])
        var counts = [0, 0, 0]
        for _ in 0..<40_000 { counts[table.sample(&random)] += 1 }
        #expect(counts[1] == 0)
        #expect(abs(Double(counts[2]) / 40_000 - 0.75) < 0.01)
        let zipf = ZipfSampler(count: 3, exponent: 1)   // weights 1, 1/2, 1/3 → 6/11, 3/11, 2/11
        var ranks = [0, 0, 0]
        for _ in 0..<44_000 { ranks[zipf.sample(&random)] += 1 }
        #expect(abs(Double(ranks[0]) / 44_000 - 6.0 / 11) < 0.01)
        #expect(abs(Double(ranks[2]) / 44_000 - 2.0 / 11) < 0.01)
    }
}
