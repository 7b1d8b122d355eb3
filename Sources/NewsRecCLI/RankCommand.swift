import Foundation
import MIND
import Ranking
import Training

/// `newsrec rank`: ranks candidate news for a user from the store's cached vectors.
struct RankCommand: Command {
    static let configuration = CommandConfiguration(
        name: "rank",
        abstract: "Rank candidate news for a user with a model and the store's cached vectors.",
        discussion: """
            Scores candidates by the dot product of the user's vector and each candidate's news vector, as the
            model scores an impression, and prints them best first. The user vector is the user encoder over the
            cached vectors of the user's last clicks (history_length of the model, 50 for MIND models): the
            history of the user's latest ingested impression followed by clicks recorded later (newsrec click).
            It is cached per (model, user, history) and recomputed when the history changes. News vectors not
            cached yet (see newsrec embed) are encoded now and cached.

            Cold start: a user the store does not know, or one without any click, is ranked by popularity — the
            number of clicks each candidate received in the last 24 hours of the data (clicked candidates of
            impressions plus recorded clicks); ties keep the candidate order. A note on stderr says so.

            Candidates: at most one of --candidates, --candidates-file, --fresh and --all; without any, --fresh 24
            (every news when the data has no impressions). Unknown candidate ids are an error naming them.

            --json prints one JSON object: user, model, method, history_length, cached_user_vector,
            results [{rank, news, score, title}].
            """,
        examples: ["newsrec rank --db mind.sqlite --model runs/fastformer --user U13740 --top 5"])

    static let user = StoreOptions.user
    static let candidateList = Option.optional(
        "--candidates", .list(of: .string("N"), valueName: "N1,N2,…"), help: "news ids separated by commas")
    static let candidatesFile = Option.optional(
        "--candidates-file", .path("FILE"), help: "news ids separated by whitespace or commas")
    static let fresh = Option.optional(
        "--fresh", ValueParser<Double>.number, rule: .positive,
        help: "every news shown in impressions during the last X hours of the data")
    static let all = Option.flag("--all", help: "every news with a cached vector for the model (whole catalogue)")
    static let top = Option.optional(
        "--top", .integer, rule: .atLeast(1),
        help: "print the best N (default: all candidates given by --candidates or --candidates-file, else 10)")

    static var options: [any OptionDeclaration] {
        [StoreOptions.database, NRMSOptions.model, user, candidateList, candidatesFile, fresh, all, top,
         OutputOptions.json]
    }

    enum Candidates: Equatable {
        case list([NewsID]), fresh(hours: Double), all
    }

    var database: String
    var model: String
    var user: UserID
    var candidates: Candidates
    var top: Int?
    var json: Bool

    static func validate(_ options: ParsedOptions) throws {
        try options.requireAtMostOne(of: [candidateList, candidatesFile, fresh, all])
    }

    init(options: ParsedOptions) throws {
        database = options[StoreOptions.database]
        model = options[NRMSOptions.model]
        user = UserID(options[Self.user])
        top = options[Self.top]
        json = options[OutputOptions.json]
        let list = options[Self.candidateList], file = options[Self.candidatesFile]
        let fresh = options[Self.fresh], all = options[Self.all]
        if let list {
            candidates = .list(list.map { NewsID($0) })
        } else if let file {
            guard let text = try? String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8) else {
                throw UsageError("cannot read --candidates-file \(file)")
            }
            candidates = .list(try Self.parseIDs(text, source: file))
        } else if all {
            candidates = .all
        } else {
            candidates = .fresh(hours: fresh ?? 24)
        }
    }

    static func parseIDs(_ text: String, source: String) throws -> [NewsID] {
        let ids = text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { NewsID(String($0)) }
        guard !ids.isEmpty else { throw UsageError("\(source) names no news id") }
        return ids
    }

    func run(context: CommandContext) throws {
        try requireStore(database)
        let ranker = try Ranker(storePath: database,
                                checkpoint: URL(fileURLWithPath: model))
        let result: RankingResult
        switch candidates {
        case let .list(ids):
            result = try ranker.ranking(user: user, candidates: ids, top: top ?? ids.count)
        case let .fresh(hours):
            let ids = try ranker.freshCandidates(window: Int64(hours * 3600), definedOnly: true)
            context.log("\(ids.count) candidates: news shown in the last \(Self.hours(hours)) of the data")
            result = try ranker.ranking(user: user, candidates: ids, top: top ?? 10)
        case .all:
            result = try ranker.rankCatalogue(user: user, top: top ?? 10)
        }
        if case let .popularity(since) = result.method {
            let who = try ranker.history(of: user) == nil
                ? "unknown user \(user) (no impression or click in the store)"
                : "user \(user) has no clicks"
            let window = since.map { "since \(Self.format(time: $0))" } ?? "(the data has no times: all scores 0)"
            let hours = Self.hours(Double(ranker.popularityWindow) / 3600)
            context.log("\(who): cold start, ranked by clicks in the last \(hours) of the data \(window)")
        }
        let report = try ranker.report(for: user, result: result)
        if json {
            context.print(String(decoding: try report.jsonData(), as: UTF8.self))
        } else {
            let idWidth = max(4, result.items.map(\.news.rawValue.count).max() ?? 0)
            context.print("rank  " + "news".padding(toLength: idWidth + 2, withPad: " ", startingAt: 0)
                          + "score        title")
            for (index, item) in result.items.enumerated() {
                let rank = String(index + 1).padding(toLength: 6, withPad: " ", startingAt: 0)
                let news = item.news.rawValue.padding(toLength: idWidth + 2, withPad: " ", startingAt: 0)
                let score = String(format: "%-12.6g", item.score)
                context.print(rank + news + score + " " + report.results[index].title)
            }
        }
    }

    static func hours(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) hours" : "\(value) hours"
    }

    static func format(time: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }
}
