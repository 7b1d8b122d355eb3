import Foundation
import MIND
import Store

/// `newsrec click`: appends clicks to users' histories in the store.
struct ClickCommand: Command {
    static let configuration = CommandConfiguration(
        name: "click",
        abstract: "Record clicks: append news to users' click histories.",
        discussion: """
            Appends clicks to users' click histories in the store: one click (--user and --news-id, optionally
            --time), or a file of clicks (--file). A user's history is the history of their latest ingested
            impression followed by the clicks recorded after that impression's time, in time order; the ranker
            reads the last 50 of it, and recomputes a cached user vector when it changes.

            Times are Unix seconds or MM/DD/YYYY hh:mm:ss AM|PM (UTC). A clicks file has lines
            'user<TAB>news<TAB>time'; all its clicks are written in one transaction, or none when a line is
            malformed or names a news the store does not hold (the error gives file:line). --json prints
            {"recorded": N} instead of a sentence.
            """,
        examples: [#"newsrec click --db mind.sqlite --user U13740 --news-id N55189 --time "11/15/2019 8:55:22 AM""#,
                   "newsrec click --db mind.sqlite --file clicks.tsv"])

    static let user = StoreOptions.user.optional(help: "user id of a single click")
    static let newsID = Option.optional(
        "--news-id", .string("N"), help: "news id of a single click; must be a news of the store")
    static let time = Option.optional(
        "--time", ValueParser(kind: .string, valueName: "T", expectation: "Unix seconds or MM/DD/YYYY hh:mm:ss AM|PM",
                              read: { ClicksFile.parseTime($0) }, write: { String($0) }),
        help: "time of a single click (default: now)")
    static let file = Option.optional(
        "--file", .path("FILE"), help: "bulk form: a file of 'user<TAB>news<TAB>time' lines")

    static var options: [any OptionDeclaration] {
        [StoreOptions.database, user, newsID, time, file, OutputOptions.json]
    }

    var database: String
    var single: (user: String, news: String, time: Int64?)?
    var file: String?
    var json: Bool

    /// One click (`--user` and `--news-id`, optionally `--time`) or a file of clicks (`--file`), not both.
    static func validate(_ options: ParsedOptions) throws {
        let singleOptions: [any OptionDeclaration] = [user, newsID, time]
        if options.isGiven(file) {
            guard !singleOptions.contains(where: options.isGiven) else {
                throw UsageError("--file cannot be combined with --user, --news-id or --time")
            }
        } else if !options.isGiven(user) || !options.isGiven(newsID) {
            throw UsageError("give --user and --news-id, or --file")
        }
    }

    init(options: ParsedOptions) {
        database = options[StoreOptions.database]
        file = options[Self.file]
        json = options[OutputOptions.json]
        let user = options[Self.user], news = options[Self.newsID], time = options[Self.time]
        if file == nil, let user, let news {
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
