import Basics
import MIND
import Metrics

/// Generates the impressions of one block of users and renders them as `behaviors.tsv` lines (see
/// `SyntheticMINDGenerator.generateBlock`).
///
/// Users are generated one after another, each from their own random streams. The histories and candidate lists
/// of all the block's impressions are stored back to back in flat arrays that the impression records index by
/// range, so a block grows a few large arrays instead of allocating per impression; rendering then sorts the
/// records into file order.
struct BlockGenerator {
    /// One impression before rendering.
    private struct Record {
        var split: Int
        var time: Int64
        var user: Int32
        /// Range in `historyNews`.
        var history: Range<Int>
        /// Range in `candidateNews` and `candidateLabels`.
        var candidates: Range<Int>
    }

    /// The user whose impressions are being generated.
    private struct UserState {
        let index: Int
        let profile: UserProfile
        /// The value of `Scratch.mark` on the user's history news.
        let mark: Int32
        /// The user's events: history, impression times, candidates, clicks and display order.
        var random: SyntheticRandom
        /// The scores of the random ranker, a stream of their own so that they do not shift the events.
        var baseline: SyntheticRandom
        /// The clicks of the history weeks, as a range of `historyNews`.
        var history: Range<Int> = 0..<0
        /// News clicked in train and dev impressions, first click first; test histories end with them.
        var laterClicks: [Int32] = []
    }

    private let seed: UInt64
    private let model: ClickModel
    private let lexicon: Lexicon
    private let catalog: NewsCatalog

    private var records: [Record] = []
    private var historyNews: [Int32] = []
    private var candidateNews: [Int32] = []
    private var candidateLabels: [Bool] = []
    private var totals = ImpressionTotals()

    // The impression being drawn, in buffers reused across impressions: the candidates in draw order, their
    // click probabilities and clicks, and the display order (positions into the draw order).
    private var drawn: [Int32] = []
    private var probabilities: [Double] = []
    private var labels: [Bool] = []
    private var order: [Int] = []

    init(generator: SyntheticMINDGenerator) {
        seed = generator.configuration.seed
        model = generator.clickModel
        lexicon = generator.lexicon
        catalog = generator.catalog
    }

    // MARK: - Generating

    /// Generates the history weeks of `user` and then their `counts[split]` impressions of each split, train first,
    /// so that test histories can append the train and dev clicks. Users without impressions are skipped (their
    /// random streams are their own, so skipping them shifts no other user's draws).
    mutating func generateUser(_ user: Int, impressionCounts counts: [Int], scratch: inout Scratch) {
        guard counts.reduce(0, +) > 0 else { return }
        var state = UserState(
            index: user, profile: UserProfile(seed: seed, user: user, lexicon: lexicon, model: model),
            mark: Int32(truncatingIfNeeded: user + 1),
            random: SyntheticRandom(seed: seed, stream: .userEvents, index: UInt64(user)),
            baseline: SyntheticRandom(seed: seed, stream: .baseline, index: UInt64(user)))
        let historyStart = historyNews.count
        SyntheticMINDGenerator.generateHistory(profile: state.profile, userMark: state.mark, model: model,
                                               catalog: catalog, random: &state.random, scratch: &scratch,
                                               into: &historyNews)
        state.history = historyStart..<historyNews.count
        for split in 0..<3 where counts[split] > 0 {
            generateImpressions(count: counts[split], split: split, user: &state, scratch: &scratch)
        }
    }

    /// Generates one user's `count` impressions of `split`, in time order, all showing the same history.
    private mutating func generateImpressions(count: Int, split: Int, user: inout UserState,
                                              scratch: inout Scratch) {
        let times = Self.drawImpressionTimes(count: count, in: Split.allCases[split], &user.random)
        let history = historyShown(in: split, to: user)
        for news in historyNews[history] { scratch.reference(Int(news), split: split) }
        for time in times {
            generateImpression(at: time, split: split, history: history, user: &user, scratch: &scratch)
        }
    }

    /// `count` uniform times in the split's period, ascending.
    private static func drawImpressionTimes(count: Int, in split: Split,
                                            _ random: inout SyntheticRandom) -> [Int64] {
        let period = Timeline.period(of: split)
        var times = (0..<count).map { _ in
            period.lowerBound + Int64(random.uniform() * Double(period.upperBound - period.lowerBound))
        }
        times.sort()
        return times
    }

    /// The history that the user's impressions of `split` show, as a range of `historyNews`: the history weeks, and
    /// in test (when there are any) also the train and dev clicks, appended after a copy of the history weeks.
    private mutating func historyShown(in split: Int, to user: UserState) -> Range<Int> {
        guard split == 2 && !user.laterClicks.isEmpty else { return user.history }
        let start = historyNews.count
        let base = Array(historyNews[user.history])
        historyNews += base
        historyNews += user.laterClicks
        return start..<historyNews.count
    }

    /// Draws one impression's candidates and clicks, shuffles them into display order, and records the impression
    /// with its counts and (in dev and test) the reference rankers' metrics.
    private mutating func generateImpression(at time: Int64, split: Int, history: Range<Int>,
                                             user: inout UserState, scratch: inout Scratch) {
        drawCandidates(count: drawCandidateCount(&user.random), at: time, userMark: user.mark, catalog: catalog,
                       random: &user.random, scratch: &scratch, into: &drawn)
        probabilities.removeAll(keepingCapacity: true)
        for news in drawn {
            probabilities.append(model.probability(
                partialLogit: model.partialLogit(user: user.profile, news: Int(news), catalog: catalog)))
        }
        SyntheticMINDGenerator.drawClicks(probabilities: probabilities, random: &user.random, into: &labels)
        // Shown in random order, as MIND's impression lists are.
        order = Array(0..<drawn.count)
        user.random.shuffle(&order)

        let candidates = appendCandidates(split: split, user: &user, scratch: &scratch)
        if split > 0 { scoreReferenceRankers(split: split, baseline: &user.baseline) }
        records.append(Record(split: split, time: time, user: Int32(user.index), history: history,
                              candidates: candidates))
        totals.tallies[split].addImpression(candidates: drawn.count,
                                            clicks: labels.reduce(0) { $0 + ($1 ? 1 : 0) },
                                            historyLength: history.count)
    }

    /// Appends the impression's candidates and clicks in display order to the block's candidate arrays, marks the
    /// candidates referenced by the split, counts train impressions and clicks per news, and collects the user's
    /// train and dev clicks for the test history.
    /// - Returns: the candidates' range in `candidateNews`.
    private mutating func appendCandidates(split: Int, user: inout UserState, scratch: inout Scratch) -> Range<Int> {
        let start = candidateNews.count
        for position in order {
            let news = drawn[position]
            let clicked = labels[position]
            candidateNews.append(news)
            candidateLabels.append(clicked)
            scratch.reference(Int(news), split: split)
            if split == 0 {
                scratch.shown[Int(news)] += 1
                if clicked { scratch.clicked[Int(news)] += 1 }
            }
            if split < 2 && clicked && !user.laterClicks.contains(news) { user.laterClicks.append(news) }
        }
        return start..<candidateNews.count
    }

    /// Adds a dev or test impression, in display order, to the metrics of the three reference rankers: the oracle
    /// (the click probabilities), popularity, and random scores drawn from the user's `baseline` stream.
    private mutating func scoreReferenceRankers(split: Int, baseline: inout SyntheticRandom) {
        let orderedLabels = order.map { labels[$0] }
        let oracle = order.map { probabilities[$0] }
        let popularity = order.map { Double(catalog.logPopularity[Int(drawn[$0])]) }
        let chance = order.map { _ in baseline.uniform() }
        totals.addRankerScores(split: split, labels: orderedLabels, oracle: oracle, popularity: popularity,
                               random: chance)
    }

    // MARK: - Rendering

    /// Renders the block's impressions as `behaviors.tsv` lines, each split in time order (ties by user, then
    /// generation order), numbered from `firstID[split]`.
    func render(firstID: [Int]) -> BlockResult {
        var behaviors = [[UInt8]](repeating: [], count: 3)
        var testLabels: [[Int]] = []
        var nextID = firstID
        for record in recordsInFileOrder() {
            let split = record.split
            appendLine(of: record, id: nextID[split], to: &behaviors[split])
            nextID[split] += 1
            if split == 2 { testLabels.append(record.candidates.map { candidateLabels[$0] ? 1 : 0 }) }
        }
        return BlockResult(behaviors: behaviors, testLabels: testLabels, totals: totals)
    }

    /// The records sorted by split, time, user, then generation order.
    private func recordsInFileOrder() -> [Record] {
        let sorted = records.indices.sorted { a, b in
            let x = records[a]
            let y = records[b]
            if x.split != y.split { return x.split < y.split }
            if x.time != y.time { return x.time < y.time }
            if x.user != y.user { return x.user < y.user }
            return a < b
        }
        return sorted.map { records[$0] }
    }

    /// Appends the impression's `behaviors.tsv` line: ImpressionID, UserID, Time, History, Impressions (candidates
    /// labelled `-1` / `-0` outside test).
    private func appendLine(of record: Record, id: Int, to line: inout [UInt8]) {
        ByteText.appendInt(id, to: &line)
        line.append(UInt8(ascii: "\t"))
        line.append(UInt8(ascii: "U"))
        ByteText.appendInt(Int(record.user) + 1, to: &line)
        line.append(UInt8(ascii: "\t"))
        Timeline.appendTime(record.time, to: &line)
        line.append(UInt8(ascii: "\t"))
        for (position, news) in historyNews[record.history].enumerated() {
            if position > 0 { line.append(UInt8(ascii: " ")) }
            appendNewsID(news, to: &line)
        }
        line.append(UInt8(ascii: "\t"))
        for position in record.candidates {
            if position > record.candidates.lowerBound { line.append(UInt8(ascii: " ")) }
            appendNewsID(candidateNews[position], to: &line)
            if record.split < 2 {
                line.append(UInt8(ascii: "-"))
                line.append(candidateLabels[position] ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            }
        }
        line.append(UInt8(ascii: "\n"))
    }

    /// Appends the MIND id `N<number>` of catalog article `news`.
    private func appendNewsID(_ news: Int32, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "N"))
        ByteText.appendInt(Int(catalog.idNumber[Int(news)]), to: &line)
    }
}

/// Counts and reference-ranker metrics summed over impressions: of one block, or of all blocks merged in block order.
struct ImpressionTotals {
    var tallies = [SplitTally](repeating: SplitTally(), count: 3)
    /// Dev metrics of the oracle, popularity and random rankers.
    var devMetrics = [MetricsAccumulator](repeating: MetricsAccumulator(), count: 3)
    /// Test metrics of the oracle, popularity and random rankers.
    var testMetrics = [MetricsAccumulator](repeating: MetricsAccumulator(), count: 3)

    /// Adds one dev (`split == 1`) or test impression's labels and the scores of the oracle, popularity and random
    /// rankers, all in display order.
    mutating func addRankerScores(split: Int, labels: [Bool], oracle: [Double], popularity: [Double],
                                  random: [Double]) {
        // The inputs are finite and equally long, so these cannot throw.
        if split == 1 {
            try? devMetrics[0].add(labels: labels, scores: oracle)
            try? devMetrics[1].add(labels: labels, scores: popularity)
            try? devMetrics[2].add(labels: labels, scores: random)
        } else {
            try? testMetrics[0].add(labels: labels, scores: oracle)
            try? testMetrics[1].add(labels: labels, scores: popularity)
            try? testMetrics[2].add(labels: labels, scores: random)
        }
    }

    /// Adds the totals of another block. The metrics are floating-point sums, so merge blocks in block order for
    /// results that do not depend on the thread count.
    mutating func merge(_ other: ImpressionTotals) {
        for split in tallies.indices { tallies[split].add(other.tallies[split]) }
        for ranker in devMetrics.indices {
            devMetrics[ranker].merge(other.devMetrics[ranker])
            testMetrics[ranker].merge(other.testMetrics[ranker])
        }
    }
}
