import Foundation
import MIND

/// How an ingest treats bad input and reports progress.
public struct IngestOptions: Sendable {
    /// Skip (and count) malformed lines instead of failing the whole run.
    public var skipBadLines: Bool
    /// Seconds between progress reports.
    public var progressInterval: Double
    /// How many skipped lines are kept in `IngestSummary.badLines` (all are counted).
    public var keptBadLines: Int

    public init(skipBadLines: Bool = false, progressInterval: Double = 0.5, keptBadLines: Int = 20) {
        self.skipBadLines = skipBadLines
        self.progressInterval = progressInterval
        self.keptBadLines = keptBadLines
    }
}

/// A progress report while a file is read.
public struct IngestProgress: Sendable {
    /// The file being read, as given.
    public var file: String
    /// Lines read so far (including skipped ones).
    public var lines: Int
    /// Seconds since the file was opened.
    public var seconds: Double
    /// True for the last report of a file.
    public var isFinished: Bool
    /// Lines per second so far.
    public var linesPerSecond: Double { seconds > 0 ? Double(lines) / seconds : 0 }
}

/// What an ingest wrote and found.
public struct IngestSummary: Sendable, Equatable {
    public var split: Split
    /// Articles read from the news file.
    public var newsRows: Int
    /// Impressions read from the behaviors file (0 when none was given).
    public var impressions: Int
    /// Candidate rows of those impressions.
    public var candidates: Int
    /// Lines skipped as malformed (only with `skipBadLines`).
    public var skippedLines: Int
    /// The first skipped lines' errors (at most `IngestOptions.keptBadLines`).
    public var badLines: [MINDFormatError]
    /// Distinct news ids in this split's histories or candidates that no ingested news file defines.
    public var unknownNews: Int
    /// … of which appear in histories.
    public var unknownNewsInHistories: Int
    /// … of which appear as candidates.
    public var unknownNewsInCandidates: Int
    /// Up to 5 of the unknown ids, in id order.
    public var unknownNewsExamples: [NewsID]
    /// Articles the store held before whose row this ingest changed (any column).
    public var changedNews: Int
    /// Of those, the articles whose title changed: their cached vectors were dropped.
    public var retitledNews: Int
    /// The first title changes (at most 5), in file order.
    public var titleChangeExamples: [TitleChange]
    /// The cached news and user vectors the title changes dropped.
    public var invalidation: CacheInvalidation
    /// Wall time of the run.
    public var seconds: Double
}

/// The store's write entry point for MIND files and records: an ingest runs on one pooled connection, in one
/// transaction, then checkpoints the write-ahead log.
extension NewsStore {
    /// Ingests a split's `news.tsv` and, optionally, its `behaviors.tsv` in ONE transaction: either everything
    /// is written or, on any error, the store is left exactly as it was.
    ///
    /// The articles are upserted into `news` (the union of all news files); the split's impressions and
    /// candidates are replaced as a whole, so ingesting the same files again leaves the same rows (only
    /// `ingest_runs` gains a row). The latest history of every user is recomputed. An article whose title changed
    /// loses its cached vectors (every model) and so do the users whose history holds it (`IngestSummary` lists
    /// the changes).
    ///
    /// - Throws: `MINDFormatError` for a malformed line (file, line, expectation) unless `options.skipBadLines`;
    ///   the same for a repeated ImpressionID; `StoreError` for database failures.
    @discardableResult
    public func ingest(split: Split, newsFile: URL, behaviorsFile: URL?, options: IngestOptions = IngestOptions(),
                       progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        try withConnection { database in
            let started = Date()
            let summary = try database.write {
                let writer = try IngestWriter(database: database, split: split, keptBadLines: options.keptBadLines)
                try writer.readNews(newsFile, options: options, progress: progress)
                if let behaviorsFile { try writer.readBehaviors(behaviorsFile, options: options, progress: progress) }
                return try writer.finish(newsFile: newsFile.path, behaviorsFile: behaviorsFile?.path, started: started)
            }
            database.checkpoint()
            return summary
        }
    }

    /// Ingests records already in memory, with the same semantics as the file ingest, in one transaction:
    /// when `news` is not nil it becomes the split's news file (articles upserted); when `impressions` is not
    /// nil it replaces the split's impressions. A repeated ImpressionID throws `MINDFormatError` (file
    /// `<records>`, line = 1-based index) and nothing is written.
    @discardableResult
    public func ingest(split: Split, news: [NewsArticle]?, impressions: [Impression]?) throws -> IngestSummary {
        try write { database in
            let started = Date()
            let writer = try IngestWriter(database: database, split: split, keptBadLines: 0)
            if let news {
                try writer.replaceSplitNews()
                for article in news { try writer.add(article) }
            }
            if let impressions {
                try writer.replaceBehaviors()
                for (index, impression) in impressions.enumerated() {
                    try writer.add(impression, file: "<records>", line: index + 1)
                }
            }
            return try writer.finish(newsFile: nil, behaviorsFile: nil, started: started)
        }
    }
}

extension Database {
    /// Copies the write-ahead log into the database file and truncates it (best effort: readers may block it).
    func checkpoint() {
        try? execute(SQL.walCheckpoint)
    }
}

/// Calls `report` about every `interval` seconds while lines are read, and once at the end.
struct ProgressMeter {
    let file: String
    let interval: Double
    let report: ((IngestProgress) -> Void)?
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastReport: UInt64
    private var lines = 0

    init(file: String, interval: Double, report: ((IngestProgress) -> Void)?) {
        self.file = file
        self.interval = interval
        self.report = report
        self.lastReport = start
    }

    mutating func tick(line: Int) {
        lines = line
        guard report != nil, line & 1023 == 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard Double(now - lastReport) >= interval * 1e9 else { return }
        lastReport = now
        send(now: now, finished: false)
    }

    func finish() { send(now: DispatchTime.now().uptimeNanoseconds, finished: true) }

    private func send(now: UInt64, finished: Bool) {
        report?(IngestProgress(file: file, lines: lines, seconds: Double(now - start) / 1e9, isFinished: finished))
    }
}

