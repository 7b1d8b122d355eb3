import Foundation
import MIND

/// Writes one ingest run's rows with statements prepared once; lives inside the run's transaction.
final class IngestWriter {
    private struct ReferenceCounts { var history = 0, impressions = 0, clicks = 0 }

    private let database: Database
    private let split: Split
    private let keptBadLines: Int
    private let articles: ArticleWriter
    private let insertSplitNews: Statement
    /// Prepared by `replaceBehaviors` (a news-only ingest needs no impression table of the current schema).
    private var insertImpression: Statement?
    /// News mentioned by the behaviors so far, and their counts by interned index.
    private var referenced = ByteInterner()
    private var references: [ReferenceCounts] = []
    /// Reused for the history and candidate-list columns of each impression.
    private var historyText: [UInt8] = [], candidateText: [UInt8] = []
    private var newsRows = 0, impressions = 0, candidates = 0, skippedLines = 0
    private var badLines: [MINDFormatError] = []
    private var wroteBehaviors = false

    init(database: Database, split: Split, keptBadLines: Int) throws {
        self.database = database
        self.split = split
        self.keptBadLines = keptBadLines
        articles = ArticleWriter(database: database)
        insertSplitNews = try database.prepare(SQL.insertSplitNews)
        // Parameter 1 is the split; bindings survive reset.
        try insertSplitNews.bind(split.rawValue, at: 1)
    }

    // MARK: - Files

    /// Reads `news.tsv` as the split's news file.
    func readNews(_ url: URL, options: IngestOptions, progress: ((IngestProgress) -> Void)?) throws {
        try replaceSplitNews()
        var meter = ProgressMeter(file: url.path, interval: options.progressInterval, report: progress)
        try NewsReader(url: url).forEach(onBadLine: { error in
            guard options.skipBadLines else { throw error }
            skip(error)
            meter.tick(line: error.line)
        }) { line, article in
            try add(article)
            meter.tick(line: line)
        }
        meter.finish()
    }

    /// Reads `behaviors.tsv`, replacing the split's impressions.
    func readBehaviors(_ url: URL, options: IngestOptions, progress: ((IngestProgress) -> Void)?) throws {
        try replaceBehaviors()
        let path = url.path
        var meter = ProgressMeter(file: url.path, interval: options.progressInterval, report: progress)
        try BehaviorsReader(url: url).forEach(onBadLine: { error in
            guard options.skipBadLines else { throw error }
            skip(error)
            meter.tick(line: error.line)
        }) { line, impression in
            do {
                try add(impression, file: path, line: line)
            } catch let error as MINDFormatError where options.skipBadLines {
                skip(error)
            }
            meter.tick(line: line)
        }
        meter.finish()
    }

    // MARK: - Records

    /// Forgets which news the split's news file defined (the file being ingested redefines them).
    func replaceSplitNews() throws {
        try database.execute(SQL.deleteSplitNews, [.text(split.rawValue)])
    }

    /// Deletes the split's impressions (with their candidates) and news references before its behaviors are
    /// written again.
    func replaceBehaviors() throws {
        for sql in [SQL.deleteImpressions, SQL.deleteReferences] {
            try database.execute(sql, [.text(split.rawValue)])
        }
        referenced = ByteInterner()
        references.removeAll(keepingCapacity: true)
        wroteBehaviors = true
        let insert = try database.prepare(SQL.insertImpression)
        try insert.bind(split.rawValue, at: 1)
        insertImpression = insert
    }

    /// Upserts one article (noting title changes) and marks it as defined by the split's news file.
    func add(_ article: NewsArticle) throws {
        try articles.upsert(article)
        try insertSplitNews.bind(article.id.rawValue, at: 2)
        try insertSplitNews.run()
        newsRows += 1
    }

    /// Writes one impression with its packed candidates. A repeated ImpressionID throws `MINDFormatError` at
    /// `line`.
    func add(_ impression: Impression, file: String, line: Int) throws {
        guard let insertImpression else { preconditionFailure("replaceBehaviors() comes before the impressions") }
        let labelled = impression.candidates.allSatisfy { $0.clicked != nil }
        let clicks = impression.candidates.reduce(0) { $0 + ($1.clicked == true ? 1 : 0) }
        try insertImpression.bind(impression.id, at: 2)
        try insertImpression.bind(impression.user.rawValue, at: 3)
        try insertImpression.bind(impression.time, at: 4)
        historyText.removeAll(keepingCapacity: true)
        for (index, news) in impression.history.enumerated() {
            if index > 0 { historyText.append(UInt8(ascii: " ")) }
            historyText.append(contentsOf: news.rawValue.utf8)
        }
        try insertImpression.bind(utf8: historyText, at: 5)
        try insertImpression.bind(impression.candidates.count, at: 6)
        if labelled { try insertImpression.bind(clicks, at: 7) } else { try insertImpression.bindNull(at: 7) }
        candidateText.removeAll(keepingCapacity: true)
        CandidateList.append(impression.candidates, to: &candidateText)
        try insertImpression.bind(utf8: candidateText, at: 8)
        do {
            try insertImpression.run()
        } catch let StoreError.sqlite(code, _, _) where code & 0xff == 19 {  // SQLITE_CONSTRAINT
            throw MINDFormatError(file: file, line: line,
                                  expected: "a unique ImpressionID, but \(impression.id) appears on an earlier line")
        }
        for candidate in impression.candidates {
            let index = reference(candidate.news)
            references[index].impressions += 1
            if candidate.clicked == true { references[index].clicks += 1 }
        }
        for news in impression.history { references[reference(news)].history += 1 }
        impressions += 1
        candidates += impression.candidates.count
    }

    /// The index of `news` in `references`, adding a zero count when new.
    private func reference(_ news: NewsID) -> Int {
        let index = Int(referenced.intern(news.rawValue))
        if index == references.count { references.append(ReferenceCounts()) }
        return index
    }

    func skip(_ error: MINDFormatError) {
        skippedLines += 1
        if badLines.count < keptBadLines { badLines.append(error) }
    }

    // MARK: - Finishing

    /// Writes the news references and the users' latest histories, drops the vectors made stale by title
    /// changes, logs the run, and returns the summary.
    func finish(newsFile: String?, behaviorsFile: String?, started: Date) throws -> IngestSummary {
        if wroteBehaviors {
            try writeReferences()
            try database.execute(SQL.deleteUserHistories)
            try database.execute(SQL.rebuildUserHistories)
        }
        let changes = try articles.finish()
        var summary = try summarize(changes: changes)
        summary.seconds = Date().timeIntervalSince(started)
        try database.execute(SQL.insertIngestRun, [
            .text(split.rawValue), newsFile.map(SQLValue.text) ?? .null, behaviorsFile.map(SQLValue.text) ?? .null,
            .real(started.timeIntervalSince1970), .real(summary.seconds), .integer(newsRows), .integer(impressions),
            .integer(candidates), .integer(skippedLines), .integer(summary.unknownNews),
        ])
        return summary
    }

    private func writeReferences() throws {
        let insertReference = try database.prepare(SQL.insertReference)
        try insertReference.bind(split.rawValue, at: 1)
        let ids = referenced.strings(0 ..< referenced.count)
        for index in ids.indices.sorted(by: { ids[$0] < ids[$1] }) {
            let counts = references[index]
            try insertReference.bind(ids[index], at: 2)
            try insertReference.bind(counts.history, at: 3)
            try insertReference.bind(counts.impressions, at: 4)
            try insertReference.bind(counts.clicks, at: 5)
            try insertReference.run()
        }
    }

    /// The summary of the run so far (`seconds` left 0).
    private func summarize(changes: ArticleChanges) throws -> IngestSummary {
        let splitValue = SQLValue.text(split.rawValue)
        let unknown = try database.integerRow(SQL.unknownNews, [splitValue])
        let examples = try database.textColumn(SQL.unknownNewsExamples, [splitValue, .integer(5)]).map { NewsID($0) }
        return IngestSummary(
            split: split, newsRows: newsRows, impressions: impressions, candidates: candidates,
            skippedLines: skippedLines, badLines: badLines, unknownNews: unknown[0],
            unknownNewsInHistories: unknown[1], unknownNewsInCandidates: unknown[2],
            unknownNewsExamples: examples, changedNews: changes.updated.count,
            retitledNews: changes.titleChanges.count, titleChangeExamples: Array(changes.titleChanges.prefix(5)),
            invalidation: changes.invalidation, seconds: 0)
    }
}
