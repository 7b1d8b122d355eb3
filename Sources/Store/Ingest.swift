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
    /// Wall time of the run.
    public var seconds: Double
}

extension NewsStore {
    /// Ingests a split's `news.tsv` and, optionally, its `behaviors.tsv` in ONE transaction: either everything
    /// is written or, on any error, the store is left exactly as it was.
    ///
    /// The articles are upserted into `news` (the union of all news files); the split's impressions and
    /// candidates are replaced as a whole, so ingesting the same files again leaves the same rows (only
    /// `ingest_runs` gains a row). The latest history of every user is recomputed.
    ///
    /// - Throws: `MINDFormatError` for a malformed line (file, line, expectation) unless `options.skipBadLines`;
    ///   the same for a repeated ImpressionID; `StoreError` for database failures.
    @discardableResult
    public func ingest(split: Split, newsFile: URL, behaviorsFile: URL?, options: IngestOptions = IngestOptions(),
                       progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        let started = Date()
        // A large page cache keeps the B-tree pages of the one big transaction in memory instead of spilling
        // them to the WAL and reading them back.
        let cacheSize = try database.scalarInt("PRAGMA cache_size") ?? -2000
        try database.executeScript("PRAGMA cache_size = \(Self.ingestCacheSize)")
        defer { try? database.executeScript("PRAGMA cache_size = \(cacheSize)") }
        let summary = try database.transaction {
            let writer = try IngestWriter(database: database, split: split, keptBadLines: options.keptBadLines)
            try writer.replaceSplitNews()
            var newsMeter = ProgressMeter(file: newsFile.path, interval: options.progressInterval, report: progress)
            try NewsReader(url: newsFile).forEach(onBadLine: { error in
                guard options.skipBadLines else { throw error }
                writer.skip(error)
                newsMeter.tick(line: error.line)
            }) { line, article in
                try writer.add(article)
                newsMeter.tick(line: line)
            }
            newsMeter.finish()
            if let behaviorsFile {
                try writer.replaceBehaviors()
                var meter = ProgressMeter(file: behaviorsFile.path, interval: options.progressInterval, report: progress)
                try BehaviorsReader(url: behaviorsFile).forEach(onBadLine: { error in
                    guard options.skipBadLines else { throw error }
                    writer.skip(error)
                    meter.tick(line: error.line)
                }) { line, impression in
                    do {
                        try writer.add(impression, file: behaviorsFile.path, line: line)
                    } catch let error as MINDFormatError where options.skipBadLines {
                        writer.skip(error)
                    }
                    meter.tick(line: line)
                }
                meter.finish()
            }
            return try writer.finish(newsFile: newsFile.path, behaviorsFile: behaviorsFile?.path, started: started)
        }
        checkpoint()
        return summary
    }

    /// Ingests records already in memory, with the same semantics as the file ingest, in one transaction:
    /// when `news` is not nil it becomes the split's news file (articles upserted); when `impressions` is not
    /// nil it replaces the split's impressions. A repeated ImpressionID throws `MINDFormatError` (file
    /// `<records>`, line = 1-based index) and nothing is written.
    @discardableResult
    public func ingest(split: Split, news: [NewsArticle]?, impressions: [Impression]?) throws -> IngestSummary {
        let started = Date()
        return try database.transaction {
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

    /// `PRAGMA cache_size` during a file ingest: negative = KiB, so 64 MiB.
    static let ingestCacheSize = -65_536

    /// Copies the write-ahead log into the database file and truncates it (best effort: readers may block it).
    func checkpoint() {
        try? database.executeScript("PRAGMA wal_checkpoint(TRUNCATE)")
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

/// Writes one ingest run's rows with statements prepared once; lives inside the run's transaction.
final class IngestWriter {
    private struct ReferenceCounts { var history = 0, impressions = 0, clicks = 0 }

    private let database: Database
    private let split: Split
    private let keptBadLines: Int
    private let upsertNews, deleteEntities, insertEntity, insertSplitNews: Statement
    private let insertImpression, insertCandidate: Statement
    private var references: [String: ReferenceCounts] = [:]
    private var newsRows = 0, impressions = 0, candidates = 0, skippedLines = 0
    private var badLines: [MINDFormatError] = []
    private var wroteBehaviors = false

    init(database: Database, split: Split, keptBadLines: Int) throws {
        self.database = database
        self.split = split
        self.keptBadLines = keptBadLines
        upsertNews = try database.prepare(SQL.upsertNews)
        deleteEntities = try database.prepare(SQL.deleteEntitiesOfNews)
        insertEntity = try database.prepare(SQL.insertEntity)
        insertSplitNews = try database.prepare(SQL.insertSplitNews)
        insertImpression = try database.prepare(SQL.insertImpression)
        insertCandidate = try database.prepare(SQL.insertCandidate)
        // Parameter 1 is the split in these statements; bindings survive reset.
        try insertSplitNews.bind(split.rawValue, at: 1)
        try insertImpression.bind(split.rawValue, at: 1)
        try insertCandidate.bind(split.rawValue, at: 1)
    }

    /// Forgets which news the split's news file defined (the file being ingested redefines them).
    func replaceSplitNews() throws {
        try database.execute(SQL.deleteSplitNews, [.text(split.rawValue)])
    }

    /// Deletes the split's impressions, candidates and news references before its behaviors are written again.
    func replaceBehaviors() throws {
        for sql in [SQL.deleteImpressions, SQL.deleteCandidates, SQL.deleteReferences] {
            try database.execute(sql, [.text(split.rawValue)])
        }
        references.removeAll(keepingCapacity: true)
        wroteBehaviors = true
    }

    func add(_ article: NewsArticle) throws {
        let id = article.id.rawValue
        try upsertNews.bind(id, at: 1)
        try upsertNews.bind(article.category, at: 2)
        try upsertNews.bind(article.subcategory, at: 3)
        try upsertNews.bind(article.title, at: 4)
        try upsertNews.bind(article.abstract, at: 5)
        try upsertNews.bind(article.url, at: 6)
        try upsertNews.bind(EntityJSON.encode(article.titleEntities), at: 7)
        try upsertNews.bind(EntityJSON.encode(article.abstractEntities), at: 8)
        try upsertNews.run()
        try deleteEntities.bind(id, at: 1)
        try deleteEntities.run()
        try insertEntities(article.titleEntities, of: id, field: "title")
        try insertEntities(article.abstractEntities, of: id, field: "abstract")
        try insertSplitNews.bind(id, at: 2)
        try insertSplitNews.run()
        newsRows += 1
    }

    private func insertEntities(_ entities: [Entity], of news: String, field: String) throws {
        guard !entities.isEmpty else { return }
        try insertEntity.bind(news, at: 1)
        try insertEntity.bind(field, at: 2)
        for (position, entity) in entities.enumerated() {
            try insertEntity.bind(position, at: 3)
            try insertEntity.bind(entity.label, at: 4)
            try insertEntity.bind(entity.type, at: 5)
            try insertEntity.bind(entity.wikidataID, at: 6)
            try insertEntity.bind(entity.confidence, at: 7)
            try insertEntity.bind(EntityJSON.integers(entity.occurrenceOffsets), at: 8)
            try insertEntity.bind(EntityJSON.strings(entity.surfaceForms), at: 9)
            try insertEntity.run()
        }
    }

    /// Writes one impression and its candidates. A repeated ImpressionID throws `MINDFormatError` at `line`.
    func add(_ impression: Impression, file: String, line: Int) throws {
        let labelled = impression.candidates.allSatisfy { $0.clicked != nil }
        let clicks = impression.candidates.reduce(0) { $0 + ($1.clicked == true ? 1 : 0) }
        try insertImpression.bind(impression.id, at: 2)
        try insertImpression.bind(impression.user.rawValue, at: 3)
        try insertImpression.bind(impression.time, at: 4)
        try insertImpression.bind(impression.history.map(\.rawValue).joined(separator: " "), at: 5)
        try insertImpression.bind(impression.candidates.count, at: 6)
        if labelled { try insertImpression.bind(clicks, at: 7) } else { try insertImpression.bindNull(at: 7) }
        do {
            try insertImpression.run()
        } catch let StoreError.sqlite(code, _, _) where code & 0xff == 19 {  // SQLITE_CONSTRAINT
            throw MINDFormatError(file: file, line: line,
                                  expected: "a unique ImpressionID, but \(impression.id) appears on an earlier line")
        }
        try insertCandidate.bind(impression.id, at: 2)
        for (position, candidate) in impression.candidates.enumerated() {
            try insertCandidate.bind(position, at: 3)
            try insertCandidate.bind(candidate.news.rawValue, at: 4)
            switch candidate.clicked {
            case .some(let clicked): try insertCandidate.bind(clicked ? 1 : 0, at: 5)
            case .none: try insertCandidate.bindNull(at: 5)
            }
            try insertCandidate.run()
            references[candidate.news.rawValue, default: ReferenceCounts()].impressions += 1
            if candidate.clicked == true { references[candidate.news.rawValue, default: ReferenceCounts()].clicks += 1 }
        }
        for news in impression.history { references[news.rawValue, default: ReferenceCounts()].history += 1 }
        impressions += 1
        candidates += impression.candidates.count
    }

    func skip(_ error: MINDFormatError) {
        skippedLines += 1
        if badLines.count < keptBadLines { badLines.append(error) }
    }

    /// Writes the news references and the users' latest histories, logs the run, and returns the summary.
    func finish(newsFile: String?, behaviorsFile: String?, started: Date) throws -> IngestSummary {
        let splitValue = SQLValue.text(split.rawValue)
        if wroteBehaviors {
            let insertReference = try database.prepare(SQL.insertReference)
            try insertReference.bind(split.rawValue, at: 1)
            for (news, counts) in references.sorted(by: { $0.key < $1.key }) {
                try insertReference.bind(news, at: 2)
                try insertReference.bind(counts.history, at: 3)
                try insertReference.bind(counts.impressions, at: 4)
                try insertReference.bind(counts.clicks, at: 5)
                try insertReference.run()
            }
            try database.execute(SQL.deleteUserHistories)
            try database.execute(SQL.rebuildUserHistories)
        }
        let unknown = try database.rows(SQL.unknownNews, [splitValue])[0]
        let examples = try database.rows(SQL.unknownNewsExamples, [splitValue, .integer(5)]).compactMap { row in
            if case let .text(id) = row[0] { return NewsID(id) } else { return nil }
        }
        func integer(_ value: SQLValue) -> Int { if case let .integer(number) = value { number } else { 0 } }
        let seconds = Date().timeIntervalSince(started)
        let summary = IngestSummary(
            split: split, newsRows: newsRows, impressions: impressions, candidates: candidates,
            skippedLines: skippedLines, badLines: badLines, unknownNews: integer(unknown[0]),
            unknownNewsInHistories: integer(unknown[1]), unknownNewsInCandidates: integer(unknown[2]),
            unknownNewsExamples: examples, seconds: seconds)
        try database.execute(SQL.insertIngestRun, [
            splitValue, newsFile.map(SQLValue.text) ?? .null, behaviorsFile.map(SQLValue.text) ?? .null,
            .real(started.timeIntervalSince1970), .real(seconds), .integer(newsRows), .integer(impressions),
            .integer(candidates), .integer(skippedLines), .integer(summary.unknownNews),
        ])
        return summary
    }
}
