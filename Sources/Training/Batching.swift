import NewsModel

/// Builds model `Batch`es from samples, reusing its buffers (no allocation once warm).
///
/// With `deduplicate`, each distinct news appears once in the batch's titles (so it is encoded once and its
/// gradient gathers all its uses); without, every history slot and candidate gets a title of its own. Both give the
/// same loss and gradients (each title is encoded independently): dedup changes the work, not the result.
public struct BatchBuilder: Sendable {
    public var deduplicate: Bool
    /// The global news row (in the `NewsTable`) of each title of the batch last built.
    public private(set) var newsRows: [Int32] = []
    /// Local row of each global news row in the batch being built, -1 when absent.
    private var localRow: [Int32]

    /// A builder for batches over a table of `newsCount` rows.
    public init(newsCount: Int, deduplicate: Bool = true) {
        self.deduplicate = deduplicate
        self.localRow = Array(repeating: -1, count: newsCount)
    }

    /// Fills `batch` with the samples `range` of `samples`; each history is cut to its last `historyLength` clicks.
    public mutating func build(_ batch: inout Batch, samples: SampleSet, range: Range<Int>,
                               impressions: ImpressionTable, news: NewsTable, historyLength: Int) {
        begin(&batch, width: samples.width)
        for sample in range {
            let history = impressions.history(of: Int(samples.impressions[sample])).suffix(historyLength)
            batch.histories.append(history.map { local($0) })
            for row in samples.candidates(of: sample) { batch.candidates.append(local(row)) }
        }
        fillTitles(&batch, news: news)
    }

    private mutating func begin(_ batch: inout Batch, width: Int) {
        batch.candidateCount = width
        batch.histories.removeAll()
        batch.candidates.removeAll(keepingCapacity: true)
        newsRows.removeAll(keepingCapacity: true)
    }

    /// The local title row of global news `row`, adding it when new (or always, without deduplication).
    private mutating func local(_ row: Int32) -> Int32 {
        if deduplicate {
            let known = localRow[Int(row)]
            if known >= 0 { return known }
            let fresh = Int32(newsRows.count)
            localRow[Int(row)] = fresh
            newsRows.append(row)
            return fresh
        }
        newsRows.append(row)
        return Int32(newsRows.count - 1)
    }

    /// Copies the titles of `newsRows` and resets the local-row map.
    private mutating func fillTitles(_ batch: inout Batch, news: NewsTable) {
        batch.titles.removeAll()
        for row in newsRows {
            batch.titles.append(news.title(at: Int(row)))
            if deduplicate { localRow[Int(row)] = -1 }
        }
    }
}
