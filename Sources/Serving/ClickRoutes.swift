import Foundation
import HTTPServer
import MIND
import Store

/// `POST /v1/clicks`: appends clicks to users' histories, all or nothing, and answers once they are committed.
struct ClickRoutes: Sendable {
    let store: NewsStore
    let metrics: ServiceMetrics
    /// Now in Unix seconds: the time of a click that gives none.
    let clock: @Sendable () -> Int64

    func register(in router: inout Router) {
        router.post("/v1/clicks") { request in try record(request) }
    }

    /// Validates every click, then records them in one write transaction; 422 (nothing recorded) when a click
    /// names a news the store does not hold.
    func record(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = try request.decodeJSON(ClicksRequest.self)
        guard !body.clicks.isEmpty else { throw HTTPError.badRequest("field 'clicks' must hold at least one click") }
        let now = clock()
        var clicks: [Click] = []
        clicks.reserveCapacity(body.clicks.count)
        for (index, click) in body.clicks.enumerated() {
            let user = try RequestIDs.user(click.user, field: "field '\(body.field(index, "user"))'")
            let news = try RequestIDs.news([click.news], field: "field '\(body.field(index, "news"))'")[0]
            clicks.append(Click(user: user, news: news, time: click.time?.seconds ?? now))
        }
        try store.write { database in
            let unknown = try database.unknownNews(clicks.map(\.news))
            guard unknown.isEmpty else {
                let field = body.isBatch ? "field 'clicks'" : "field 'news'"
                throw RequestIDs.unknownNews(unknown, field: field, consequence: "; nothing recorded")
            }
            try database.recordClicks(clicks)
        }
        metrics.clicks.increment(by: Double(clicks.count))
        return try ServiceJSON.response(ClicksResponse(recorded: clicks.count))
    }
}
