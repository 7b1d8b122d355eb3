import Foundation
import MIND
import Store

/// `newsrec ingest`: loads a split's news.tsv (and behaviors.tsv) into the SQLite store in one transaction.
struct IngestCommand: Command {
    static let configuration = CommandConfiguration(
        name: "ingest",
        abstract: "Load a MIND split (news.tsv, behaviors.tsv) into the SQLite store.",
        discussion: """
            Reads a split's MIND files into the store (created with the current schema when missing; an older
            schema is upgraded first). Everything happens in ONE transaction: on any error the store is left
            exactly as it was.

            News articles are added to (or updated in) the table of all news. When --behaviors is given, the
            split's impressions and candidates are replaced by the file's, so running the same ingest twice leaves
            the same rows. The latest click history of every user is recomputed.

            Input rules (a violation is a malformed line): UTF-8 text without NUL bytes. News ids are 1 to 64
            characters from A-Z a-z 0-9 _ . : and never contain '-' (in Impressions the first '-' starts the label,
            so N3-1-1 is an error); user ids are 1 to 64 characters from A-Z a-z 0-9 _ . : -. A news id repeated in
            news.tsv must repeat its line exactly (it is then read once). A behaviors file is labelled (N1-0) or
            unlabelled (N1) on every line.

            Progress (lines, lines/s) goes to standard error about twice a second. The summary reports news rows,
            impressions, candidates, skipped lines, and news ids used by histories or candidates that no ingested
            news file defines (counted, not an error).
            """,
        examples: [
            "newsrec ingest --db mind.sqlite --split train --news train/news.tsv --behaviors train/behaviors.tsv",
        ])

    static let split = StoreOptions.split.required(help: "the split the files belong to")
    static let news = MINDFileOptions.news.required(help: "the split's news.tsv")
    static let behaviors = MINDFileOptions.behaviors.optional(
        help: "the split's behaviors.tsv (without it only news is loaded)")
    static let skipBadLines = Option.flag(
        "--skip-bad-lines",
        help: "skip and count malformed lines instead of failing (default: fail, naming the file, line and what "
            + "was expected)")

    static var options: [any OptionDeclaration] {
        [StoreOptions.database, split, news, behaviors, skipBadLines, OutputOptions.json]
    }

    var databasePath: String
    var split: Split
    var newsFile: String
    var behaviorsFile: String?
    var skipBadLines: Bool
    var json: Bool

    init(options: ParsedOptions) {
        databasePath = options[StoreOptions.database]
        split = options[Self.split]
        newsFile = options[Self.news]
        behaviorsFile = options[Self.behaviors]
        skipBadLines = options[Self.skipBadLines]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        let created = !FileManager.default.fileExists(atPath: databasePath)
        let summary: IngestSummary
        do {
            summary = try ingest(context: context)
        } catch {
            // A store this run created holds nothing but the schema: leave no file, as before the run.
            if created { NewsStore.removeFiles(at: databasePath) }
            throw error
        }
        for error in summary.badLines { context.log("skipped \(error)") }
        if summary.skippedLines > summary.badLines.count {
            context.log("… and \(summary.skippedLines - summary.badLines.count) more skipped lines")
        }
        json ? context.print(jsonSummary(summary)) : printTable(summary, context: context)
    }

    /// Ingests the files into the store with progress lines; the store is closed on return.
    private func ingest(context: CommandContext) throws -> IngestSummary {
        let store = try NewsStore(path: databasePath)
        var redrawing = false
        let summary = try store.ingest(
            split: split, newsFile: URL(fileURLWithPath: newsFile),
            behaviorsFile: behaviorsFile.map { URL(fileURLWithPath: $0) },
            options: IngestOptions(skipBadLines: skipBadLines)
        ) { progress in
            let line = "\((progress.file as NSString).lastPathComponent): \(progress.lines) lines, "
                + "\(Int(progress.linesPerSecond.rounded())) lines/s"
            if context.interactive {
                context.logRaw("\r" + line + (progress.isFinished ? "\n" : ""))
                redrawing = !progress.isFinished
            } else {
                context.log(line + (progress.isFinished ? " (done)" : ""))
            }
        }
        if redrawing { context.logRaw("\n") }
        return summary
    }

    private func printTable(_ summary: IngestSummary, context: CommandContext) {
        context.print("ingested split \(summary.split.rawValue) into \(databasePath) in "
                      + String(format: "%.1f", summary.seconds) + " s")
        let rows: [(String, Int)] = [
            ("news rows", summary.newsRows), ("impressions", summary.impressions),
            ("candidates", summary.candidates), ("skipped bad lines", summary.skippedLines),
            ("unknown news ids", summary.unknownNews),
        ]
        let width = rows.map { String($0.1).count }.max() ?? 0
        for (label, value) in rows {
            let number = String(repeating: " ", count: width - String(value).count) + String(value)
            context.print("  " + label.padding(toLength: 18, withPad: " ", startingAt: 0) + number)
        }
        if summary.unknownNews > 0 {
            context.print("  (unknown: \(summary.unknownNewsInHistories) in histories, "
                          + "\(summary.unknownNewsInCandidates) in candidates; e.g. "
                          + summary.unknownNewsExamples.map(\.rawValue).joined(separator: ", ") + ")")
        }
        if summary.changedNews > 0 {
            let invalidation = summary.invalidation
            context.print("  changed news      " + String(summary.changedNews))
            context.print("  (\(summary.retitledNews) with a new title; cached vectors dropped: "
                          + "\(invalidation.newsVectors) news, \(invalidation.userVectors) user)")
            for change in summary.titleChangeExamples { context.print("    \(change)") }
            if summary.retitledNews > summary.titleChangeExamples.count {
                context.print("    … and \(summary.retitledNews - summary.titleChangeExamples.count) more")
            }
        }
    }

    private func jsonSummary(_ summary: IngestSummary) -> String {
        let object: [String: Any] = [
            "database": databasePath, "split": summary.split.rawValue, "news_rows": summary.newsRows,
            "impressions": summary.impressions, "candidates": summary.candidates,
            "skipped_lines": summary.skippedLines, "unknown_news": summary.unknownNews,
            "unknown_news_in_histories": summary.unknownNewsInHistories,
            "unknown_news_in_candidates": summary.unknownNewsInCandidates,
            "seconds": summary.seconds, "changed_news": summary.changedNews,
            "retitled_news": summary.retitledNews,
            "title_changes": summary.titleChangeExamples.map {
                ["news": $0.news.rawValue, "old_title": $0.oldTitle, "new_title": $0.newTitle]
            },
            "invalidated_news_vectors": summary.invalidation.newsVectors,
            "invalidated_user_vectors": summary.invalidation.userVectors,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
