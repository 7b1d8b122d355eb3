import Basics
import Foundation
import MIND
import Metrics

/// Progress of a generation, for a progress line on standard error.
public struct SyntheticMINDProgress: Sendable {
    /// What is being done, e.g. `behaviors`.
    public var phase: String
    public var done: Int
    public var total: Int
}

/// Generates MIND-format datasets from a known click model (see `ClickModel`), deterministically per seed.
///
/// Layout written by `write(to:)`:
/// ```
/// DIR/train/{news.tsv, behaviors.tsv}   impressions of Nov 9–14 2019, labelled (N123-1 / N123-0)
/// DIR/dev/{news.tsv, behaviors.tsv}     impressions of Nov 15, labelled
/// DIR/test/{news.tsv, behaviors.tsv}    impressions of Nov 16–17, unlabelled (bare N123)
/// DIR/leaderboard/ref/truth.txt         the test labels, in evaluate.py's truth format
/// DIR/glove.txt                         word vectors (GloVe text format) carrying topic signal + noise
/// DIR/oracle.json                       `SyntheticMINDReport`, written last
/// ```
/// Every file is written to a temporary name and renamed when complete. Users are generated independently from
/// per-user random streams, in blocks of `blockSize` users processed in parallel and written in block order;
/// within a block a split's impressions are in time order. ImpressionIDs are 1…N in file order in each split.
public final class SyntheticMINDGenerator: Sendable {
    public let configuration: SyntheticMINDConfiguration
    /// The click model with its calibrated bias.
    public let clickModel: ClickModel
    let lexicon: Lexicon
    let catalog: NewsCatalog
    let threads: Int
    /// Activity weight of every user.
    let activity: [Double]

    static let blockSize = 1024
    /// Candidates are news published within `freshWindow` before the impression, accepted with probability
    /// `exp(−age / NewsCatalog.freshDecay)`, so most shown news are under a day old.
    static let freshWindow: Int64 = 2 * Timeline.day
    /// Candidates offered per history click (one of them is chosen by the click model).
    static let historyChoices = 6
    static let calibrationImpressions = 8_000

    /// Builds the vocabulary and news catalog and calibrates the click model.
    /// - Parameter threads: worker threads; the output does not depend on it.
    public init(configuration: SyntheticMINDConfiguration, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                progress: (SyntheticMINDProgress) -> Void = { _ in }) throws {
        try configuration.validate()
        self.configuration = configuration
        self.threads = max(1, threads)
        let seed = configuration.seed
        progress(SyntheticMINDProgress(phase: "vocabulary", done: 0, total: 1))
        let lexicon = Lexicon(seed: seed, newsCount: configuration.news)
        self.lexicon = lexicon
        progress(SyntheticMINDProgress(phase: "news", done: 0, total: configuration.news))
        catalog = NewsCatalog(seed: seed, count: configuration.news, lexicon: lexicon, threads: self.threads)
        activity = (0..<configuration.users).map { UserProfile.activity(seed: seed, user: $0) }
        progress(SyntheticMINDProgress(phase: "calibration", done: 0, total: 1))
        clickModel = Self.calibrate(configuration: configuration, lexicon: lexicon, catalog: catalog,
                                    activity: activity)
    }

    // MARK: - Calibration

    /// Finds the bias whose click-through rate over sampled train impressions, conditioned on at least one click
    /// per impression (`E[clicks | ≥ 1] = Σp / (1 − Π(1 − p))`), equals the target; bisection over [−25, 10].
    /// The sample has `impressions / 4` impressions, at least 500 and at most `calibrationImpressions`.
    static func calibrate(configuration: SyntheticMINDConfiguration, lexicon: Lexicon, catalog: NewsCatalog,
                          activity: [Double]) -> ClickModel {
        var model = ClickModel.standard
        var random = SyntheticRandom(seed: configuration.seed, stream: .calibration)
        let users = AliasTable(weights: activity)
        var scratch = Scratch(newsCount: catalog.count)
        var logits: [[Double]] = []
        var candidates: [Int32] = []
        let period = Timeline.period(of: .train)
        var history: [Int32] = []
        let samples = min(calibrationImpressions, max(500, configuration.impressions / 4))
        for sample in 0..<samples {
            let user = users.sample(&random)
            let profile = UserProfile(seed: configuration.seed, user: user, lexicon: lexicon, model: model)
            // The user's history, as generation will draw it, so that its news are excluded from the candidates
            // here too (the history choice does not depend on the bias).
            var userRandom = SyntheticRandom(seed: configuration.seed, stream: .userEvents, index: UInt64(user))
            let mark = Int32(truncatingIfNeeded: -(sample + 2))
            history.removeAll(keepingCapacity: true)
            generateHistory(profile: profile, userMark: mark, model: model, catalog: catalog, random: &userRandom,
                            scratch: &scratch, into: &history)
            let time = period.lowerBound + Int64(random.uniform() * Double(period.upperBound - period.lowerBound))
            drawCandidates(count: drawCandidateCount(&random), at: time, userMark: mark, catalog: catalog,
                           random: &random, scratch: &scratch, into: &candidates)
            logits.append(candidates.map { model.partialLogit(user: profile, news: Int($0), catalog: catalog) })
        }
        func ctr(bias: Double) -> Double {
            var clicks = 0.0
            var shown = 0.0
            for row in logits where row.count >= 2 {
                var sum = 0.0
                var none = 1.0
                for logit in row {
                    let p = 1.0 / (1.0 + exp(-(bias + logit)))
                    sum += p
                    none *= 1 - p
                }
                clicks += sum / max(1e-300, 1 - none)
                shown += Double(row.count)
            }
            return clicks / max(1, shown)
        }
        var low = -25.0
        var high = 10.0
        for _ in 0..<48 {
            let middle = (low + high) / 2
            if ctr(bias: middle) < configuration.targetCTR { low = middle } else { high = middle }
        }
        model.bias = (low + high) / 2
        return model
    }

    // MARK: - Writing

    /// Writes the dataset into `directory` (created if needed; existing files of the same names are replaced).
    /// - Returns: the report, also written as `oracle.json`.
    @discardableResult
    public func write(to directory: URL, progress: (SyntheticMINDProgress) -> Void = { _ in }) throws
        -> SyntheticMINDReport {
        try Self.createDirectories(in: directory)
        let allocation = allocateImpressions()
        let workers = PerWorker(count: threads) { Scratch(newsCount: catalog.count) }
        let totals = try writeBehaviors(to: directory, allocation: allocation, workers: workers, progress: progress)
        let scratches = workers.all
        let newsLines = try writeNewsFiles(to: directory, referencedIn: scratches, progress: progress)
        let concentration = Self.concentration(of: scratches, newsCount: catalog.count)

        progress(SyntheticMINDProgress(phase: "glove.txt", done: 0, total: lexicon.words.count))
        let vectorCount = try WordVectorWriter.write(lexicon: lexicon, seed: configuration.seed,
                                                     dimension: configuration.wordDimension, threads: threads,
                                                     to: directory.appendingPathComponent("glove.txt"))

        let report = makeReport(totals: totals, allocation: allocation, newsLines: newsLines,
                                wordVectors: vectorCount, concentration: concentration)
        try Self.writeOracle(report, to: directory)
        return report
    }

    /// Creates the split directories and `leaderboard/ref` under `directory`.
    private static func createDirectories(in directory: URL) throws {
        for sub in ["train", "dev", "test", "leaderboard/ref"] {
            let url = directory.appendingPathComponent(sub, isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw SyntheticMINDError.io(file: url.path, reason: "cannot create directory (\(error))")
            }
        }
    }

    /// Generates the users block by block, `2 × threads` blocks at a time in parallel, and writes each split's
    /// `behaviors.tsv` and the test labels to `truth.txt` in block order.
    /// - Returns: the totals of all blocks, merged in block order.
    private func writeBehaviors(to directory: URL, allocation: [[Int32]], workers: PerWorker<Scratch>,
                                progress: (SyntheticMINDProgress) -> Void) throws -> ImpressionTotals {
        let splits = Split.allCases
        let userCount = configuration.users
        let blocks = (userCount + Self.blockSize - 1) / Self.blockSize
        let firstID = firstImpressionIDs(allocation: allocation, blocks: blocks)
        let behaviorFiles = try splits.map {
            try AtomicFileWriter(path: directory.appendingPathComponent("\($0.rawValue)/behaviors.tsv").path)
        }
        let truth = try TruthFile.writer(url: directory.appendingPathComponent("leaderboard/ref/truth.txt"))
        var totals = ImpressionTotals()

        let wave = max(1, threads * 2)
        var block = 0
        while block < blocks {
            let count = min(wave, blocks - block)
            let start = block
            let results = parallelMap(jobs: count, threads: threads) { job, worker in
                let index = start + job
                return workers.with(worker) { scratch in
                    self.generateBlock(index, allocation: allocation,
                                       firstID: splits.indices.map { firstID[$0][index] }, scratch: &scratch)
                }
            }
            for (job, result) in results.enumerated() {
                try Self.write(result, firstTestID: firstID[2][start + job], behaviors: behaviorFiles, truth: truth)
                totals.merge(result.totals)
            }
            block += count
            progress(SyntheticMINDProgress(phase: "behaviors", done: min(userCount, block * Self.blockSize),
                                           total: userCount))
        }
        for file in behaviorFiles { try file.close() }
        try truth.close()
        return totals
    }

    /// The first ImpressionID of every block, per split: IDs run 1…N through the blocks in order.
    /// - Returns: `[split][block]`, with a last entry per split one past the split's last ID.
    private func firstImpressionIDs(allocation: [[Int32]], blocks: Int) -> [[Int]] {
        let userCount = configuration.users
        var firstID = [[Int]](repeating: [Int](repeating: 1, count: blocks + 1), count: allocation.count)
        for split in allocation.indices {
            for block in 0..<blocks {
                var sum = 0
                for user in block * Self.blockSize..<min(userCount, (block + 1) * Self.blockSize) {
                    sum += Int(allocation[split][user])
                }
                firstID[split][block + 1] = firstID[split][block] + sum
            }
        }
        return firstID
    }

    /// Appends one block's `behaviors.tsv` lines to the split files and its test labels to `truth.txt`, numbered
    /// from `firstTestID`.
    private static func write(_ result: BlockResult, firstTestID: Int, behaviors: [AtomicFileWriter],
                              truth: LeaderboardFileWriter) throws {
        for (split, file) in behaviors.enumerated() { try file.write(result.behaviors[split]) }
        var id = firstTestID
        for labels in result.testLabels {
            try truth.write(impressionID: id, values: labels)
            id += 1
        }
    }

    /// Writes each split's `news.tsv`: the catalog lines, in catalog order, of the news that the split's histories
    /// and candidates reference (the union of the per-worker bitsets, so independent of which worker ran which block).
    /// - Returns: the number of news lines per split.
    private func writeNewsFiles(to directory: URL, referencedIn scratches: [Scratch],
                                progress: (SyntheticMINDProgress) -> Void) throws -> [Int] {
        var newsLines = [Int](repeating: 0, count: Split.allCases.count)
        for (s, split) in Split.allCases.enumerated() {
            progress(SyntheticMINDProgress(phase: "\(split.rawValue)/news.tsv", done: 0, total: catalog.count))
            var referenced = [UInt64](repeating: 0, count: (catalog.count + 63) / 64)
            for scratch in scratches {
                for word in referenced.indices { referenced[word] |= scratch.referenced[s][word] }
            }
            let file = try AtomicFileWriter(path: directory.appendingPathComponent("\(split.rawValue)/news.tsv").path)
            for news in 0..<catalog.count where referenced[news >> 6] & (1 << UInt64(news & 63)) != 0 {
                try file.write(catalog.lines[catalog.lineStart[news]..<catalog.lineStart[news + 1]])
                newsLines[s] += 1
            }
            try file.close()
        }
        return newsLines
    }

    /// The report of the written dataset.
    private func makeReport(totals: ImpressionTotals, allocation: [[Int32]], newsLines: [Int], wordVectors: Int,
                            concentration: SyntheticMINDReport.Concentration) -> SyntheticMINDReport {
        let statistics = Split.allCases.indices.map {
            totals.tallies[$0].statistics(users: allocation[$0], news: newsLines[$0])
        }
        let devMetrics = totals.devMetrics
        let testMetrics = totals.testMetrics
        return SyntheticMINDReport(
            configuration: configuration, clickModel: clickModel, topics: lexicon.topicCount,
            subcategories: lexicon.subcategoryNames.count, vocabulary: lexicon.words.count,
            wordVectors: wordVectors,
            averageTitleWords: Double(catalog.titleWordTotal) / Double(catalog.count),
            train: statistics[0], dev: statistics[1], test: statistics[2],
            devMetrics: .init(oracle: devMetrics[0].summary, popularity: devMetrics[1].summary,
                              random: devMetrics[2].summary),
            testMetrics: .init(oracle: testMetrics[0].summary, popularity: testMetrics[1].summary,
                               random: testMetrics[2].summary),
            concentration: concentration)
    }

    /// Writes `report` as `oracle.json` (pretty-printed, sorted keys, non-finite numbers as strings).
    private static func writeOracle(_ report: SyntheticMINDReport, to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf",
                                                                      negativeInfinity: "-inf", nan: "nan")
        let oracle = try AtomicFileWriter(path: directory.appendingPathComponent("oracle.json").path)
        try oracle.write(Array(try encoder.encode(report)) + [UInt8(ascii: "\n")])
        try oracle.close()
    }

    /// Writes every article of the catalogue, in news.tsv format, to `url` (the split folders hold only the news
    /// their impressions reference). The same configuration gives the same file.
    public func writeCatalogue(to url: URL) throws {
        let file = try AtomicFileWriter(path: url.path)
        try file.write(catalog.lines)
        try file.close()
    }

    /// Impressions per user and split: each impression goes to a user drawn with probability ∝ activity.
    /// - Returns: `[split][user]` counts.
    func allocateImpressions() -> [[Int32]] {
        var random = SyntheticRandom(seed: configuration.seed, stream: .allocation)
        let table = AliasTable(weights: activity)
        return Split.allCases.map { split in
            var counts = [Int32](repeating: 0, count: configuration.users)
            for _ in 0..<configuration.impressions(in: split) { counts[table.sample(&random)] += 1 }
            return counts
        }
    }

    /// How concentrated train impressions and clicks are on a few news, from the per-worker counters (sums, so
    /// independent of which worker ran which block).
    static func concentration(of scratches: [Scratch], newsCount: Int) -> SyntheticMINDReport.Concentration {
        var shown = [Int](repeating: 0, count: newsCount)
        var clicked = [Int](repeating: 0, count: newsCount)
        for scratch in scratches {
            for news in 0..<newsCount {
                shown[news] += Int(scratch.shown[news])
                clicked[news] += Int(scratch.clicked[news])
            }
        }
        return concentration(shown: shown, clicked: clicked)
    }

    static func concentration(shown: [Int], clicked: [Int]) -> SyntheticMINDReport.Concentration {
        let shownNews = shown.filter { $0 > 0 }
        func topShare(_ values: [Int]) -> Double {
            let sorted = values.sorted(by: >)
            let total = sorted.reduce(0, +)
            guard total > 0 else { return .nan }
            let top = max(1, (shownNews.count + 9) / 10)
            return Double(sorted.prefix(top).reduce(0, +)) / Double(total)
        }
        return .init(top10PercentImpressionShare: topShare(shownNews),
                     top10PercentClickShare: topShare(zip(shown, clicked).filter { $0.0 > 0 }.map(\.1)),
                     shownNews: shownNews.count)
    }
}

// MARK: - Per-block generation

/// Per-thread working memory, sized to the catalog and reused across blocks.
struct Scratch {
    /// `stamp[news] == stampValue` when the news is already a candidate of the impression being drawn.
    var stamp: [Int32]
    var stampValue: Int32 = 0
    /// `mark[news] == user + 1` when the news is in the user's history weeks (never shown to the user again).
    var mark: [Int32]
    /// Train candidate rows and clicks per news.
    var shown: [Int32]
    var clicked: [Int32]
    /// Per split, one bit per news referenced by a history or candidate.
    var referenced: [[UInt64]]
    /// News removed from the distribution of the impression being drawn, ascending.
    var removed: [Int] = []

    init(newsCount: Int) {
        stamp = [Int32](repeating: 0, count: newsCount)
        mark = [Int32](repeating: 0, count: newsCount)
        shown = [Int32](repeating: 0, count: newsCount)
        clicked = [Int32](repeating: 0, count: newsCount)
        referenced = [[UInt64]](repeating: [UInt64](repeating: 0, count: (newsCount + 63) / 64), count: 3)
    }

    mutating func nextStamp() -> Int32 {
        if stampValue == Int32.max {
            for index in stamp.indices { stamp[index] = 0 }
            stampValue = 0
        }
        stampValue += 1
        return stampValue
    }

    @inline(__always)
    mutating func reference(_ news: Int, split: Int) {
        referenced[split][news >> 6] |= 1 << UInt64(news & 63)
    }
}

/// Counts of one split accumulated over blocks.
struct SplitTally {
    var impressions = 0
    var candidates = 0
    var clicks = 0
    var historyTotal = 0
    var emptyHistories = 0

    /// Counts one impression.
    mutating func addImpression(candidates: Int, clicks: Int, historyLength: Int) {
        impressions += 1
        self.candidates += candidates
        self.clicks += clicks
        historyTotal += historyLength
        if historyLength == 0 { emptyHistories += 1 }
    }

    mutating func add(_ other: SplitTally) {
        impressions += other.impressions
        candidates += other.candidates
        clicks += other.clicks
        historyTotal += other.historyTotal
        emptyHistories += other.emptyHistories
    }

    func statistics(users: [Int32], news: Int) -> SyntheticMINDReport.SplitStatistics {
        .init(impressions: impressions, candidates: candidates, clicks: clicks,
              clickThroughRate: Double(clicks) / Double(max(1, candidates)),
              meanCandidates: Double(candidates) / Double(max(1, impressions)),
              users: users.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }, news: news,
              meanHistoryLength: Double(historyTotal) / Double(max(1, impressions)),
              emptyHistories: emptyHistories)
    }
}

/// What one block of users produced.
struct BlockResult {
    /// Rendered `behaviors.tsv` lines per split.
    var behaviors: [[UInt8]]
    /// Labels of the block's test impressions, in file order.
    var testLabels: [[Int]]
    /// Counts and reference-ranker metrics of the block's impressions.
    var totals: ImpressionTotals
}

/// Draws up to `count` distinct candidates shown at `time`: news fresh at that time, by popularity, accepted
/// with probability `exp(−age / NewsCatalog.freshDecay)`, skipping news the user already clicked
/// (`mark == userMark`). Falls back to the newest unmarked news when the pool is too small.
///
/// Sampling is without replacement by removing mass: a drawn (or excluded) news' popularity interval is cut out of
/// the cumulative distribution, so popular news already drawn cost no rejected draws.
func drawCandidates(count: Int, at time: Int64, userMark: Int32, catalog: NewsCatalog,
                    random: inout SyntheticRandom, scratch: inout Scratch, into out: inout [Int32]) {
    out.removeAll(keepingCapacity: true)
    scratch.removed.removeAll(keepingCapacity: true)
    let stampValue = scratch.nextStamp()
    let range = catalog.freshRange(at: time, window: SyntheticMINDGenerator.freshWindow,
                                   minimum: max(4 * count, 50))
    let scale = catalog.freshnessScale(at: time)
    let base = catalog.cumulative[range.lowerBound]
    let total = catalog.cumulative[range.upperBound] - base
    var removedMass = 0.0
    var attempts = 0
    let limit = 30 * count + 200
    catalog.cumulative.withUnsafeBufferPointer { cumulative in
        while out.count < count && attempts < limit && removedMass < total * (1 - 1e-9) {
            attempts += 1
            // A point of the remaining mass, shifted past the removed intervals that lie before it.
            var target = base + random.uniform() * (total - removedMass)
            for removed in scratch.removed {
                if target >= cumulative[removed] {
                    target += cumulative[removed + 1] - cumulative[removed]
                } else {
                    break
                }
            }
            var low = range.lowerBound
            var high = range.upperBound - 1
            while low < high {
                let middle = (low + high) >> 1
                if cumulative[middle + 1] > target { high = middle } else { low = middle + 1 }
            }
            let news = low
            if scratch.stamp[news] == stampValue { continue }
            let excluded = scratch.mark[news] == userMark
            if !excluded && random.uniform() >= catalog.freshness[news] * scale { continue }
            scratch.stamp[news] = stampValue
            removedMass += cumulative[news + 1] - cumulative[news]
            let position = scratch.removed.firstIndex { $0 > news } ?? scratch.removed.count
            scratch.removed.insert(news, at: position)
            if !excluded { out.append(Int32(news)) }
        }
    }
    var news = range.upperBound - 1
    while out.count < min(2, count) && news >= 0 {
        if scratch.mark[news] != userMark && !out.contains(Int32(news)) {
            out.append(Int32(news))
        }
        news -= 1
    }
}

extension SyntheticMINDGenerator {
    /// Generates the users of block `index` and renders their impressions.
    func generateBlock(_ index: Int, allocation: [[Int32]], firstID: [Int], scratch: inout Scratch) -> BlockResult {
        var block = BlockGenerator(generator: self)
        for user in index * Self.blockSize..<min(configuration.users, (index + 1) * Self.blockSize) {
            block.generateUser(user, impressionCounts: (0..<3).map { Int(allocation[$0][user]) }, scratch: &scratch)
        }
        return block.render(firstID: firstID)
    }
    /// Appends the user's clicks of the history weeks, oldest first, and marks them in `scratch.mark`: at
    /// `historyLength` uniform times, the click model chooses one of `historyChoices` fresh news (∝ the odds
    /// `exp(logit)`, the chance that it is the one clicked).
    static func generateHistory(profile: UserProfile, userMark: Int32, model: ClickModel, catalog: NewsCatalog,
                                random: inout SyntheticRandom, scratch: inout Scratch, into history: inout [Int32]) {
        let historySpan = Double(Timeline.trainStart - Timeline.historyStart)
        var times = (0..<profile.historyLength).map { _ in
            Timeline.historyStart + Int64(random.uniform() * historySpan)
        }
        times.sort()
        var drawn: [Int32] = []
        var cumulative: [Double] = []
        for time in times {
            drawCandidates(count: historyChoices, at: time, userMark: userMark, catalog: catalog,
                           random: &random, scratch: &scratch, into: &drawn)
            guard !drawn.isEmpty else { continue }
            var total = 0.0
            cumulative.removeAll(keepingCapacity: true)
            for news in drawn {
                total += exp(model.partialLogit(user: profile, news: Int(news), catalog: catalog))
                cumulative.append(total)
            }
            let target = random.uniform() * total
            let chosen = drawn[cumulative.firstIndex { $0 > target } ?? (drawn.count - 1)]
            scratch.mark[Int(chosen)] = userMark
            history.append(chosen)
        }
    }

    /// Bernoulli clicks, redrawn until the impression has at least one click and one non-click (MIND logs only
    /// impressions with a click); after 64 tries one click (or non-click) is drawn ∝ p (or 1 − p).
    /// Conditioning on "at least one click" keeps the order of the click probabilities, so ranking by them stays
    /// optimal.
    static func drawClicks(probabilities: [Double], random: inout SyntheticRandom, into labels: inout [Bool]) {
        let n = probabilities.count
        labels = [Bool](repeating: false, count: n)
        guard n >= 2 else {
            if n == 1 { labels[0] = true }
            return
        }
        for _ in 0..<64 {
            var clicks = 0
            for index in 0..<n {
                labels[index] = random.uniform() < probabilities[index]
                if labels[index] { clicks += 1 }
            }
            if clicks > 0 && clicks < n { return }
        }
        let clicks = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        if clicks == 0 {
            labels[draw(weights: probabilities, &random)] = true
        } else if clicks == n {
            labels[draw(weights: probabilities.map { 1 - $0 }, &random)] = false
        }
    }

    /// An index drawn with probability ∝ `weights` (uniform when they are all zero).
    static func draw(weights: [Double], _ random: inout SyntheticRandom) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return random.below(weights.count) }
        var target = random.uniform() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }
}
