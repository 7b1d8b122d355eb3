import Foundation
import MIND
import Store

/// `newsrec ingest`: loads a split's news.tsv (and behaviors.tsv) into the SQLite store in one transaction.
struct IngestCommand: Command {
    static let name = "ingest"
    static let abstract = "Load a MIND split (news.tsv, behaviors.tsv) into the SQLite store."
    static let help = """
        Usage: newsrec ingest --db FILE --split train|dev|test --news news.tsv [--behaviors behaviors.tsv]
                              [--skip-bad-lines] [--json]

        Reads a split's MIND files into the store at FILE (created with the current schema when missing; an
        older schema is upgraded first). Everything happens in ONE transaction: on any error the store is left
        exactly as it was.

        News articles are added to (or updated in) the table of all news. When --behaviors is given, the split's
        impressions and candidates are replaced by the file's, so running the same ingest twice leaves the same
        rows. The latest click history of every user is recomputed.

        Options:
          --db FILE            SQLite store to write (required)
          --split NAME         train, dev or test (required)
          --news FILE          the split's news.tsv (required)
          --behaviors FILE     the split's behaviors.tsv (optional; without it only news is loaded)
          --skip-bad-lines     skip and count malformed lines instead of failing (default: fail, naming the
                               file, line and what was expected)
          --json               print the summary as one JSON object

        Progress (lines, lines/s) goes to standard error about twice a second. The summary reports news rows,
        impressions, candidates, skipped lines, and news ids used by histories or candidates that no ingested
        news file defines (counted, not an error).

        Example:
          newsrec ingest --db mind.sqlite --split train --news MINDsmall_train/news.tsv \\
                         --behaviors MINDsmall_train/behaviors.tsv
        """

    var databasePath: String
    var split: Split
    var newsFile: String
    var behaviorsFile: String?
    var skipBadLines: Bool
    var json: Bool

    init(arguments: inout ArgumentScanner) throws {
        databasePath = try arguments.required("--db")
        let splitName = try arguments.required("--split")
        guard let split = Split(rawValue: splitName) else {
            throw UsageError("--split must be train, dev or test, got '\(splitName)'")
        }
        self.split = split
        newsFile = try arguments.required("--news")
        behaviorsFile = try arguments.option("--behaviors")
        skipBadLines = arguments.flag("--skip-bad-lines")
        json = arguments.flag("--json")
    }

    func run(context: CommandContext) throws {
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
        for error in summary.badLines { context.log("skipped \(error)") }
        if summary.skippedLines > summary.badLines.count {
            context.log("… and \(summary.skippedLines - summary.badLines.count) more skipped lines")
        }
        json ? context.print(jsonSummary(summary)) : printTable(summary, context: context)
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
