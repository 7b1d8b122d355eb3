import Foundation
import MIND
import Store

/// `newsrec click`: appends clicks to users' histories in the store.
struct ClickCommand: Command {
    static let name = "click"
    static let abstract = "Record clicks: append news to users' click histories."
    static let help = """
        Usage: newsrec click --db FILE --user U --news N [--time T]
               newsrec click --db FILE --file CLICKS.tsv

        Appends clicks to users' click histories in the store. A user's history is the history of their latest
        ingested impression followed by the clicks recorded after that impression's time, in time order; the
        ranker reads the last 50 of it, and recomputes a cached user vector when it changes.

        Options:
          --db FILE        the store (SQLite) file; must exist (created by newsrec ingest)
          --user U         user id of a single click
          --news N         news id of a single click; must be a news of the store
          --time T         time of a single click: Unix seconds or MM/DD/YYYY hh:mm:ss AM|PM (UTC)
                           (default: now)
          --file F         bulk form: lines 'user<TAB>news<TAB>time' (time as above); all clicks are
                           written in one transaction, or none when a line is malformed or names a news
                           the store does not hold (the error gives file:line)
          --json           print {"recorded": N} instead of a sentence

        Example:
          newsrec click --db mind.sqlite --user U13740 --news N55189 --time "11/15/2019 8:55:22 AM"
        """

    var database: String
    var single: (user: String, news: String, time: Int64?)?
    var file: String?
    var json: Bool

    init(arguments: inout ArgumentScanner) throws {
        database = try arguments.required("--db")
        file = try arguments.option("--file")
        let user = try arguments.option("--user")
        let news = try arguments.option("--news")
        let timeText = try arguments.option("--time")
        json = arguments.flag("--json")
        if file != nil {
            guard user == nil, news == nil, timeText == nil else {
                throw UsageError("--file cannot be combined with --user, --news or --time")
            }
        } else {
            guard let user, let news else { throw UsageError("give --user and --news, or --file") }
            var time: Int64?
            if let timeText {
                guard let parsed = ClicksFile.parseTime(timeText) else {
                    throw UsageError("--time expects Unix seconds or MM/DD/YYYY hh:mm:ss AM|PM, got '\(timeText)'")
                }
                time = parsed
            }
            single = (user, news, time)
        }
    }

    func run(context: CommandContext) throws {
        try requireStore(database)
        let store = try NewsStore(path: database, create: false, busyTimeout: 30)
        let clicks: [(line: Int, click: Click)]
        if let file {
            clicks = try ClicksFile.read(URL(fileURLWithPath: file))
        } else if let single {
            let time = single.time ?? Int64(Date().timeIntervalSince1970)
            clicks = [(0, Click(user: UserID(single.user), news: NewsID(single.news), time: time))]
        } else {
            return
        }
        let unknown = Set(try store.read { try $0.unknownNews(clicks.map(\.click.news)) })
        if let first = clicks.first(where: { unknown.contains($0.click.news) }) {
            throw UnknownClickedNewsError(file: file, line: first.line, news: first.click.news,
                                          unknownCount: unknown.count)
        }
        try store.withConnection { try $0.recordClicks(clicks.map(\.click)) }
        if json {
            context.print("{\"recorded\": \(clicks.count)}")
        } else {
            context.print("recorded \(clicks.count) click\(clicks.count == 1 ? "" : "s")")
        }
    }
}
