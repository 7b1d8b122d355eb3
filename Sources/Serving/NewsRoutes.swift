import Foundation
import HTTPServer
import MIND
import Ranking

/// `POST /v1/news`: adds or updates articles, then encodes and caches their vectors for the served model before
/// answering, so the next ranking finds them cached.
struct NewsRoutes: Sendable {
    let ranker: Ranker
    let metrics: ServiceMetrics

    func register(in router: inout Router) {
        router.post("/v1/news") { request in try upsert(request) }
    }

    /// Validates the articles, upserts them in one write transaction (title changes drop the stale vectors), then
    /// caches the vectors of the new and retitled ones.
    func upsert(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = try request.decodeJSON(NewsRequest.self)
        let articles = try Self.articles(body.news)
        let changes = try ranker.store.write { try $0.upsertArticles(articles) }
        let encoded = try ranker.embedNews(articles.map(\.id))
        metrics.added.increment(by: Double(changes.inserted.count))
        metrics.updated.increment(by: Double(changes.updated.count))
        metrics.encoded.increment(by: Double(encoded))
        return try ServiceJSON.response(NewsResponse(
            received: articles.count, inserted: changes.inserted.count, updated: changes.updated.count,
            retitled: changes.titleChanges.count,
            unchanged: articles.count - changes.inserted.count - changes.updated.count, encoded: encoded))
    }

    /// The articles of the request, checked: at least one, valid and distinct ids, a non-empty title, and no
    /// tab, line break or NUL in any field (they could not be written back to a news.tsv).
    /// - Throws: 400 naming the first offending field.
    static func articles(_ bodies: [ArticleBody]) throws(HTTPError) -> [NewsArticle] {
        guard !bodies.isEmpty else { throw .badRequest("field 'news' must hold at least one article") }
        var seen: [String: Int] = [:]
        var articles: [NewsArticle] = []
        articles.reserveCapacity(bodies.count)
        for (index, body) in bodies.enumerated() {
            let id = try RequestIDs.news([body.id], field: "field 'news[\(index)].id'")[0]
            if let first = seen.updateValue(index, forKey: body.id) {
                throw .badRequest("field 'news[\(index)].id' repeats \(body.id) of news[\(first)]")
            }
            let fields = [("category", body.category), ("subcategory", body.subcategory), ("title", body.title),
                          ("abstract", body.abstract ?? ""), ("url", body.url ?? "")]
            for (name, value) in fields where value.utf8.contains(where: { $0 == 0 || $0 == 9 || $0 == 10 || $0 == 13 }) {
                throw .badRequest("field 'news[\(index)].\(name)' must not contain tabs, line breaks or NUL")
            }
            guard !body.title.allSatisfy(\.isWhitespace) else {
                throw .badRequest("field 'news[\(index)].title' must not be empty")
            }
            articles.append(NewsArticle(id: id, category: body.category, subcategory: body.subcategory,
                                        title: body.title, abstract: body.abstract ?? "", url: body.url ?? ""))
        }
        return articles
    }
}
