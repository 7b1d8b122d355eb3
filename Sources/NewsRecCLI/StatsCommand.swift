import Foundation
import MIND
import Store

/// `newsrec stats`: counts per split in the SQLite store.
struct StatsCommand: Command {
    static let configuration = CommandConfiguration(
        name: "stats",
        abstract: "Show news, users, impressions, candidates, clicks and CTR per split of a store.",
        discussion: """
            Prints, for every split that has data in the store:
              news rows        articles defined by the split's news.tsv
              news referenced  distinct news ids in the split's histories and candidates
              unknown          of those, ids that no ingested news file defines
              users            distinct users with an impression
              impressions      behaviors.tsv lines
              candidates       candidate rows (labelled or not)
              clicks           clicked candidates
              CTR              clicks / labelled candidates ('-' for an unlabelled test split)
            and the totals: rows of the news table and distinct users over all splits. The store must exist.

            --json prints one JSON object: {"news_rows", "users", "splits": [{"split", "news_rows",
            "news_referenced", "unknown_news", "users", "impressions", "candidates", "labelled_candidates",
            "clicks", "ctr"}]}.
            """,
        examples: ["newsrec stats --db mind.sqlite"])

    static var options: [any OptionDeclaration] { [StoreOptions.database, OutputOptions.json] }

    var databasePath: String
    var json: Bool

    init(options: ParsedOptions) {
        databasePath = options[StoreOptions.database]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        let statistics = try NewsStore(path: databasePath, create: false).read { try $0.statistics() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            context.print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
            return
        }
        let header = ["split", "news rows", "news referenced", "unknown", "users", "impressions", "candidates",
                      "clicks", "CTR"]
        let rows = statistics.splits.map { split in
            [split.split.rawValue, String(split.newsRows), String(split.newsReferenced), String(split.unknownNews),
             String(split.users), String(split.impressions), String(split.candidates), String(split.clicks),
             split.clickThroughRate.map { String(format: "%.4f", $0) } ?? "-"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func format(_ row: [String]) -> String {
            row.enumerated().map { column, text in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 ? text + padding : padding + text   // names left, numbers right
            }.joined(separator: "  ")
        }
        context.print(format(header))
        for row in rows { context.print(format(row)) }
        context.print("total: \(statistics.newsRows) news rows, \(statistics.users) users")
    }
}
