import Foundation
import MIND
import Ranking
import Training

/// `newsrec rank`: ranks candidate news for a user from the store's cached vectors.
struct RankCommand: Command {
    static let name = "rank"
    static let abstract = "Rank candidate news for a user with a model and the store's cached vectors."
    static let help = """
        Usage: newsrec rank --db FILE --model CHECKPOINT_DIR --user U
                            [--candidates N1,N2,… | --candidates-file F | --fresh HOURS | --all]
                            [--top K] [--json]

        Scores candidates by the dot product of the user's vector and each candidate's news vector, as the model
        scores an impression, and prints them best first. The user vector is the user encoder over the cached
        vectors of the user's last clicks (history_length of the model, 50 for MIND models): the history of the
        user's latest ingested impression followed by clicks recorded later (newsrec click). It is cached per
        (model, user, history) and recomputed when the history changes. News vectors not cached yet (see
        newsrec embed) are encoded now and cached.

        Cold start: a user the store does not know, or one without any click, is ranked by popularity — the
        number of clicks each candidate received in the last 24 hours of the data (clicked candidates of
        impressions plus recorded clicks); ties keep the candidate order. A note on stderr says so.

        Candidates (one of):
          --candidates N1,N2,…     news ids separated by commas
          --candidates-file F      news ids separated by whitespace or commas
          --fresh HOURS            every news shown in impressions during the last HOURS of the data
                                   (default: --fresh 24; every news when the data has no impressions)
          --all                    every news with a cached vector for the model (whole catalogue)
        Unknown candidate ids are an error naming them.

        Options:
          --db FILE                the store (SQLite) file (required)
          --model CHECKPOINT_DIR   checkpoint directory with model.safetensors, config.json, vocab.txt (required)
          --user U                 the user id (required)
          --top K                  print the best K (default: all candidates given by --candidates or
                                   --candidates-file, else 10)
          --json                   print one JSON object: user, model, method, history_length,
                                   cached_user_vector, results [{rank, news, score, title}]

        Example:
          newsrec rank --db mind.sqlite --model runs/fastformer/checkpoint --user U13740 --top 5
        """

    enum Candidates: Equatable {
        case list([NewsID]), fresh(hours: Double), all
    }

    var database: String
    var model: String
    var user: UserID
    var candidates: Candidates
    var top: Int?
    var json: Bool

    init(arguments: inout ArgumentScanner) throws {
        database = try arguments.required("--db")
        model = try arguments.required("--model")
        user = UserID(try arguments.required("--user"))
        let list = try arguments.option("--candidates")
        let file = try arguments.option("--candidates-file")
        let fresh = try arguments.option("--fresh", as: Double.self)
        let all = arguments.flag("--all")
        top = try arguments.option("--top", as: Int.self)
        json = arguments.flag("--json")
        guard [list != nil, file != nil, fresh != nil, all].filter({ $0 }).count <= 1 else {
            throw UsageError("give at most one of --candidates, --candidates-file, --fresh, --all")
        }
        if let top, top < 1 { throw UsageError("--top must be at least 1") }
        if let fresh, !(fresh > 0) { throw UsageError("--fresh expects a positive number of hours") }
        if let list {
            candidates = .list(try Self.parseIDs(list, source: "--candidates"))
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
            let ids = try ranker.freshCandidates(window: Int64(hours * 3600))
            context.log("\(ids.count) candidates: news shown in the last \(Self.hours(hours)) of the data")
            result = try ranker.ranking(user: user, candidates: ids, top: top ?? 10)
        case .all:
            result = try ranker.rankCatalogue(user: user, top: top ?? 10)
        }
        var methodName = "personalized"
        var historyLength = 0
        var cachedUser = false
        switch result.method {
        case let .personalized(length, cached):
            historyLength = length
            cachedUser = cached
        case let .popularity(since):
            methodName = "popularity"
            let who = try ranker.history(of: user) == nil
                ? "unknown user \(user) (no impression or click in the store)"
                : "user \(user) has no clicks"
            let window = since.map { "since \(Self.format(time: $0))" } ?? "(the data has no times: all scores 0)"
            let hours = Self.hours(Double(ranker.popularityWindow) / 3600)
            context.log("\(who): cold start, ranked by clicks in the last \(hours) of the data \(window)")
        }
        let titles = try result.items.map { try ranker.article($0.news)?.title ?? "" }
        if json {
            var object: [String: Any] = [
                "user": user.rawValue, "model": ranker.model.id, "method": methodName,
                "history_length": historyLength, "cached_user_vector": cachedUser,
            ]
            object["results"] = result.items.enumerated().map { index, item in
                ["rank": index + 1, "news": item.news.rawValue, "score": Double(item.score), "title": titles[index]]
                    as [String: Any]
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            context.print(String(decoding: data, as: UTF8.self))
        } else {
            let idWidth = max(4, result.items.map(\.news.rawValue.count).max() ?? 0)
            context.print("rank  " + "news".padding(toLength: idWidth + 2, withPad: " ", startingAt: 0)
                          + "score        title")
            for (index, item) in result.items.enumerated() {
                let rank = String(index + 1).padding(toLength: 6, withPad: " ", startingAt: 0)
                let news = item.news.rawValue.padding(toLength: idWidth + 2, withPad: " ", startingAt: 0)
                let score = String(format: "%-12.6g", item.score)
                context.print(rank + news + score + " " + titles[index])
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
