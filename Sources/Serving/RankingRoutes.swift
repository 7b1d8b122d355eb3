import Foundation
import HTTPServer
import MIND
import Ranking

/// `POST /v1/rank` and `GET /v1/users/{id}/recommendations`: rankings as `newsrec rank --json` prints them.
struct RankingRoutes: Sendable {
    let ranker: Ranker
    let metrics: ServiceMetrics
    let freshPool: FreshPool

    /// The window of the fresh pool when a request names none: 24 hours, as `newsrec rank`.
    static let defaultFreshHours = 24.0
    /// The largest `top` a request may ask for.
    static let maximumTop = 100_000
    /// The largest `fresh_hours` (about 114 years).
    static let maximumFreshHours = 1_000_000.0

    func register(in router: inout Router) {
        router.post("/v1/rank", access: .open) { request in try rank(request) }
        router.get("/v1/users/{id}/recommendations", access: .open) { request in try recommendations(request) }
    }

    /// Ranks the request's candidates (or the fresh pool) for its user.
    func rank(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = try RankRequestScanner.decode(request.body) ?? request.decodeJSON(RankRequest.self)
        let user = try RequestIDs.user(body.user, field: "field 'user'")
        let top = try body.top.map { top throws(HTTPError) in try Self.checkTop(top, name: "field 'top'") }
        let result: RankingResult
        if let texts = body.candidates {
            guard !texts.isEmpty else {
                throw HTTPError.badRequest("field 'candidates' must name at least one news id "
                                           + "(omit it to rank the fresh pool)")
            }
            let candidates = try RequestIDs.news(texts, field: "field 'candidates'")
            do {
                result = try ranker.ranking(user: user, candidates: candidates, top: top ?? candidates.count)
            } catch let RankingError.unknownCandidates(unknown) {
                throw RequestIDs.unknownNews(unknown, field: "field 'candidates'")
            }
        } else {
            let pool = try freshPool.candidates(window: Self.window(hours: Self.defaultFreshHours))
            result = try ranker.ranking(user: user, candidates: pool, top: top ?? 10)
        }
        return try respond(user: user, result: result)
    }

    /// The best `top` news of the fresh pool (or of the whole catalogue with `fresh_hours=0`) for the user of
    /// the path, leaving out what the user clicked unless `exclude_clicked=false`.
    func recommendations(_ request: HTTPRequest) throws -> HTTPResponse {
        let id = try request.pathParameters.value("id", as: String.self)
        let user = try RequestIDs.user(id, field: "path parameter 'id'")
        let top = try Self.checkTop(request.query.value("top", as: Int.self, default: 10),
                                    name: "query parameter 'top'")
        let hours = try request.query.value("fresh_hours", as: Double.self, default: Self.defaultFreshHours)
        guard hours.isFinite, (0 ... Self.maximumFreshHours).contains(hours) else {
            throw HTTPError.badRequest("query parameter 'fresh_hours' must be 0 (whole catalogue) to "
                                       + "\(Int(Self.maximumFreshHours)), got '\(hours)'")
        }
        let exclude = try request.query.value("exclude_clicked", as: Bool.self, default: true)
        let clicked: Set<NewsID> = exclude
            ? Set(try ranker.store.withConnection { try $0.latestHistory(of: user)?.news } ?? []) : []
        var result: RankingResult
        if hours == 0 {
            result = try ranker.rankCatalogue(user: user, top: top + clicked.count)
            result.items = Array(result.items.lazy.filter { !clicked.contains($0.news) }.prefix(top))
        } else {
            let pool = try freshPool.candidates(window: Self.window(hours: hours))
            result = try ranker.ranking(user: user, candidates: pool.filter { !clicked.contains($0) }, top: top)
        }
        return try respond(user: user, result: result)
    }

    /// The report of `result` as the response body; counts the ranking in the metrics.
    private func respond(user: UserID, result: RankingResult) throws -> HTTPResponse {
        metrics.record(result)
        let report = try ranker.report(for: user, result: result)
        return HTTPResponse(status: .ok, headers: ["Content-Type": HTTPResponse.jsonContentType],
                            body: [UInt8](try report.jsonData()))
    }

    /// Seconds of `hours`, as `newsrec rank --fresh` counts them.
    static func window(hours: Double) -> Int64 { Int64(hours * 3600) }

    static func checkTop(_ top: Int, name: String) throws(HTTPError) -> Int {
        guard (1 ... maximumTop).contains(top) else {
            throw .badRequest("\(name) must be 1 to \(maximumTop), got \(top)")
        }
        return top
    }
}
