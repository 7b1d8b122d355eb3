import MIND
import NewsModel
import Store

/// A problem with the data given to training or evaluation.
public struct TrainingDataError: Error, CustomStringConvertible {
    /// Where the problem is (a file, a split, an impression), as the caller named it.
    public var source: String
    /// What was expected instead.
    public var expected: String

    public init(source: String, expected: String) {
        self.source = source
        self.expected = expected
    }

    public var description: String { "\(source): expected \(expected)" }
}

/// Every news title as token ids, one packed sequence per news (no padding), addressed by a dense row index.
///
/// Titles are cut to `titleLength` tokens; an empty title is an empty sequence. Rows follow the order news were
/// added.
public struct NewsTable: Sendable {
    /// The most tokens kept per title.
    public let titleLength: Int
    /// The news id of each row.
    public private(set) var ids: [NewsID] = []
    /// The token ids of each row's title.
    public private(set) var titles = PackedSequences()
    /// Rows added for news that no ingested news file defines (candidates kept so every impression can be
    /// scored, with an empty title); training never uses them as the clicked news.
    public private(set) var undefinedRows = Set<Int32>()
    private var rowByID: [NewsID: Int32] = [:]

    /// An empty table whose titles are cut to `titleLength` tokens.
    public init(titleLength: Int) {
        precondition(titleLength > 0, "titleLength must be positive")
        self.titleLength = titleLength
    }

    /// Number of news rows.
    public var count: Int { ids.count }

    /// The row of `id`, or nil when the news is unknown.
    public func row(of id: NewsID) -> Int32? { rowByID[id] }

    /// Adds a news with its already encoded title (cut to `titleLength`); returns its row.
    /// A news id seen before keeps its first row and title.
    /// - Parameter defined: false for a news no news file defines (an empty stand-in, see `undefinedRows`).
    @discardableResult
    public mutating func add(_ id: NewsID, titleTokens: [Int32], defined: Bool = true) -> Int32 {
        if let existing = rowByID[id] { return existing }
        let row = Int32(ids.count)
        if !defined { undefinedRows.insert(row) }
        ids.append(id)
        titles.append(titleTokens.prefix(titleLength))
        rowByID[id] = row
        return row
    }

    /// Adds a news, encoding `title` with `vocabulary`; returns its row.
    @discardableResult
    public mutating func add(_ id: NewsID, title: String, vocabulary: Vocabulary) -> Int32 {
        add(id, titleTokens: vocabulary.encode(title, length: titleLength))
    }

    /// The token ids of `row`'s title.
    public func title(at row: Int) -> ArraySlice<Int32> { titles[row] }

    /// The number of tokens of `row`'s title.
    public func length(of row: Int) -> Int { titles.length(of: row) }
}

/// The impressions of one split as dense Int32 indices into a `NewsTable` (no strings kept).
///
/// Histories and candidates are stored back to back in flat arrays with offset tables
/// (`historyOffsets`/`candidateOffsets`, `count + 1` entries each). Histories keep only the last
/// `historyLength` clicks that are known news, oldest first.
public struct ImpressionTable: Sendable {
    /// Label of a candidate in a test split.
    public static let unlabelled: Int8 = -1

    /// The most recent clicks kept per history.
    public let historyLength: Int
    /// The ImpressionID column of each impression, in the order added.
    public private(set) var impressionIDs: [Int] = []
    /// `count + 1` offsets into `history`.
    public private(set) var historyOffsets: [Int32] = [0]
    /// News rows of the kept histories, oldest first.
    public private(set) var history: [Int32] = []
    /// `count + 1` offsets into `candidates`/`labels`.
    public private(set) var candidateOffsets: [Int32] = [0]
    /// News rows of the candidates, in file order.
    public private(set) var candidates: [Int32] = []
    /// 1 = clicked, 0 = not clicked, -1 = unlabelled.
    public private(set) var labels: [Int8] = []
    /// History entries dropped because their news is not in the table.
    public private(set) var unknownHistoryCount = 0

    /// An empty table keeping at most `historyLength` clicks per history.
    public init(historyLength: Int) {
        precondition(historyLength > 0, "historyLength must be positive")
        self.historyLength = historyLength
    }

    /// The impressions of `packed`, taking over its arrays (no copy of the candidates): every history cut to its
    /// last `historyLength` entries that `isKnown` accepts (the others are counted in `unknownHistoryCount`), in
    /// place.
    public init(taking packed: consuming PackedImpressions, historyLength: Int, isKnown: (Int32) -> Bool) {
        self.init(historyLength: historyLength)
        var history: [Int32] = []
        swap(&history, &packed.history)   // the only reference: trimmed in place, not copied
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(packed.count + 1)
        var written = 0
        for row in 0..<packed.count {
            let start = packed.historyOffsets[row], end = packed.historyOffsets[row + 1]
            var kept = 0, index = end
            // The last `historyLength` known entries, found backwards, then moved to the front of the free space.
            while index > start && kept < historyLength {
                index -= 1
                if isKnown(history[index]) { kept += 1 } else { unknownHistoryCount += 1 }
            }
            for position in index..<end where isKnown(history[position]) {
                history[written] = history[position]
                written += 1
            }
            for position in start..<index where !isKnown(history[position]) { unknownHistoryCount += 1 }
            offsets.append(Int32(written))
        }
        history.removeLast(history.count - written)
        self.history = history
        historyOffsets = offsets
        impressionIDs = packed.impressionIDs
        candidates = packed.candidates
        labels = packed.labels
        candidateOffsets = packed.candidateOffsets.map { Int32($0) }
    }

    /// Number of impressions.
    public var count: Int { impressionIDs.count }
    /// Whether every candidate carries a click label.
    public var isLabelled: Bool { !labels.isEmpty && !labels.contains(Self.unlabelled) }

    /// Appends an impression.
    /// - Throws: `TrainingDataError` when a candidate news is not in `news`.
    public mutating func append(_ impression: Impression, news: NewsTable, source: String = "impression") throws {
        var kept: [Int32] = []
        kept.reserveCapacity(min(impression.history.count, historyLength))
        for id in impression.history.reversed() {
            guard kept.count < historyLength else { break }
            if let row = news.row(of: id) { kept.append(row) } else { unknownHistoryCount += 1 }
        }
        var rows: [Int32] = []
        var marks: [Int8] = []
        rows.reserveCapacity(impression.candidates.count)
        for candidate in impression.candidates {
            guard let row = news.row(of: candidate.news) else {
                throw TrainingDataError(source: "\(source) \(impression.id)",
                                        expected: "candidate \(candidate.news) to be a known news")
            }
            rows.append(row)
            marks.append(candidate.clicked.map { $0 ? 1 : 0 } ?? Self.unlabelled)
        }
        impressionIDs.append(impression.id)
        history.append(contentsOf: kept.reversed())
        historyOffsets.append(Int32(history.count))
        candidates.append(contentsOf: rows)
        labels.append(contentsOf: marks)
        candidateOffsets.append(Int32(candidates.count))
    }

    /// News rows of impression `index`'s kept history, oldest first.
    public func history(of index: Int) -> ArraySlice<Int32> {
        history[Int(historyOffsets[index])..<Int(historyOffsets[index + 1])]
    }

    /// News rows of impression `index`'s candidates, in file order.
    public func candidates(of index: Int) -> ArraySlice<Int32> {
        candidates[Int(candidateOffsets[index])..<Int(candidateOffsets[index + 1])]
    }

    /// Labels of impression `index`'s candidates (1, 0 or -1).
    public func labels(of index: Int) -> ArraySlice<Int8> {
        labels[Int(candidateOffsets[index])..<Int(candidateOffsets[index + 1])]
    }

    /// Total number of clicked candidates.
    public var clickCount: Int { labels.reduce(0) { $0 + ($1 == 1 ? 1 : 0) } }

    /// The impressions `range` as a table of their own (their rows copied, offsets rebased; `unknownHistoryCount`
    /// 0), for scoring a large table a part at a time.
    public func slice(_ range: Range<Int>) -> ImpressionTable {
        var part = ImpressionTable(historyLength: historyLength)
        let history = Int(historyOffsets[range.lowerBound])..<Int(historyOffsets[range.upperBound])
        let candidates = Int(candidateOffsets[range.lowerBound])..<Int(candidateOffsets[range.upperBound])
        part.impressionIDs = Array(impressionIDs[range])
        part.history = Array(self.history[history])
        part.historyOffsets = historyOffsets[range.lowerBound...range.upperBound].map { $0 - Int32(history.lowerBound) }
        part.candidates = Array(self.candidates[candidates])
        part.labels = Array(labels[candidates])
        part.candidateOffsets = candidateOffsets[range.lowerBound...range.upperBound].map {
            $0 - Int32(candidates.lowerBound)
        }
        return part
    }

    /// Sets `used[row]` for every news row a kept history or a candidate names, growing `used` (with `false`) to
    /// cover the largest row.
    public func markNews(in used: inout [Bool]) {
        for rows in [history, candidates] {
            for row in rows {
                let index = Int(row)
                if index >= used.count { used.append(contentsOf: repeatElement(false, count: index + 1 - used.count)) }
                used[index] = true
            }
        }
    }
}

/// Everything training and evaluation read: the vocabulary, every news title, and the impressions per split.
public struct TrainingCorpus: Sendable {
    public var vocabulary: Vocabulary
    public var news: NewsTable
    public var splits: [Split: ImpressionTable]

    public init(vocabulary: Vocabulary, news: NewsTable, splits: [Split: ImpressionTable]) {
        self.vocabulary = vocabulary
        self.news = news
        self.splits = splits
    }

    /// Builds a corpus: a vocabulary over every title (in the order given), the news table, and the
    /// impressions of each split.
    /// - Parameters:
    ///   - news: `(id, title)` of every news of every split.
    ///   - impressions: each split's impressions.
    public init(news: [(id: NewsID, title: String)], impressions: [Split: [Impression]],
                titleLength: Int = 30, historyLength: Int = 50) throws {
        var vocabulary = Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken])
        var table = NewsTable(titleLength: titleLength)
        for item in news { table.add(item.id, titleTokens: vocabulary.addTokens(of: item.title)) }
        var splits: [Split: ImpressionTable] = [:]
        for (split, list) in impressions {
            var impressionTable = ImpressionTable(historyLength: historyLength)
            for impression in list { try impressionTable.append(impression, news: table, source: "\(split) impression") }
            splits[split] = impressionTable
        }
        self.init(vocabulary: vocabulary, news: table, splits: splits)
    }
}
