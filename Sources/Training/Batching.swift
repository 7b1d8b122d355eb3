/// One training batch in the layout of the "model batch" contract (docs/ARCHITECTURE.md).
///
/// - `titles`: `[newsCount × titleLength]` token ids, right-padded with 0;
/// - `histories`: `[batchSize × historyLength]` indices into `titles` rows, -1 = padding, real entries at the end;
/// - `candidates`: `[batchSize × width]` indices into `titles` rows, the clicked news in column 0.
public struct TrainingBatch: Sendable {
    public var titles: [Int32] = []
    public var histories: [Int32] = []
    public var candidates: [Int32] = []
    /// Distinct title rows in the batch.
    public var newsCount = 0
    /// Width of the `titles` rows.
    public var titleLength = 0
    /// Samples in the batch.
    public var batchSize = 0
    /// History slots per sample.
    public var historyLength = 0
    /// Candidates per sample (`1 + negatives`).
    public var width = 0
    /// The global news row of each local title row.
    public var newsRows: [Int32] = []

    public init() {}
}

/// Builds `TrainingBatch`es from samples, reusing its buffers (no allocation once warm).
///
/// With `deduplicate`, each distinct news appears once in `titles`; with `trimTitles`, the title width is the
/// longest real title in the batch (at least 1) instead of the table's full width. Both are exact: they change the
/// work, not the result (padding is masked and each row is encoded independently).
public struct BatchBuilder: Sendable {
    public var deduplicate: Bool
    public var trimTitles: Bool
    /// Local row of each global news row in the batch being built, -1 when absent.
    private var localRow: [Int32]

    /// A builder for batches over a table of `newsCount` rows.
    public init(newsCount: Int, deduplicate: Bool = true, trimTitles: Bool = true) {
        self.deduplicate = deduplicate
        self.trimTitles = trimTitles
        self.localRow = Array(repeating: -1, count: newsCount)
    }

    /// Fills `batch` with the samples `range` of `samples`.
    /// - Parameters:
    ///   - historyLength: history slots per sample (the model's); the kept history is cut to its last entries.
    public mutating func build(_ batch: inout TrainingBatch, samples: SampleSet, range: Range<Int>,
                               impressions: ImpressionTable, news: NewsTable, historyLength: Int) {
        batch.batchSize = range.count
        batch.historyLength = historyLength
        batch.width = samples.width
        batch.newsRows.removeAll(keepingCapacity: true)
        batch.histories.removeAll(keepingCapacity: true)
        batch.candidates.removeAll(keepingCapacity: true)
        for sample in range {
            let history = impressions.history(of: Int(samples.impressions[sample])).suffix(historyLength)
            for _ in 0..<(historyLength - history.count) { batch.histories.append(-1) }
            for row in history { batch.histories.append(local(row, in: &batch)) }
            for row in samples.candidates(of: sample) { batch.candidates.append(local(row, in: &batch)) }
        }
        fillTitles(&batch, news: news)
    }

    /// Fills `batch` for scoring: `users` impressions' histories only (no candidates).
    public mutating func buildHistories(_ batch: inout TrainingBatch, impressions: ImpressionTable,
                                        range: Range<Int>, news: NewsTable, historyLength: Int) {
        batch.batchSize = range.count
        batch.historyLength = historyLength
        batch.width = 0
        batch.newsRows.removeAll(keepingCapacity: true)
        batch.histories.removeAll(keepingCapacity: true)
        batch.candidates.removeAll(keepingCapacity: true)
        for index in range {
            let history = impressions.history(of: index).suffix(historyLength)
            for _ in 0..<(historyLength - history.count) { batch.histories.append(-1) }
            for row in history { batch.histories.append(local(row, in: &batch)) }
        }
        fillTitles(&batch, news: news)
    }

    /// The local title row of global news `row`, adding it when new (or always, without deduplication).
    private mutating func local(_ row: Int32, in batch: inout TrainingBatch) -> Int32 {
        if deduplicate {
            let known = localRow[Int(row)]
            if known >= 0 { return known }
            let fresh = Int32(batch.newsRows.count)
            localRow[Int(row)] = fresh
            batch.newsRows.append(row)
            return fresh
        }
        batch.newsRows.append(row)
        return Int32(batch.newsRows.count - 1)
    }

    /// Copies the titles of `batch.newsRows`, trimmed or full width, and resets the local-row map.
    private mutating func fillTitles(_ batch: inout TrainingBatch, news: NewsTable) {
        var width = news.titleLength
        if trimTitles {
            width = 1
            for row in batch.newsRows { width = max(width, Int(news.lengths[Int(row)])) }
        }
        batch.newsCount = batch.newsRows.count
        batch.titleLength = width
        batch.titles.removeAll(keepingCapacity: true)
        batch.titles.reserveCapacity(batch.newsCount * width)
        for row in batch.newsRows {
            batch.titles.append(contentsOf: news.title(at: Int(row)).prefix(width))
            if deduplicate { localRow[Int(row)] = -1 }
        }
    }
}
