import Foundation
import Testing
@testable import HTTPServer

@Suite("Router")
struct RouterTests {
    private func router() -> Router {
        var router = Router()
        router.get("/v1/users/{id}/recommendations") { request in
            let limit = try request.query.value("n", as: Int.self, default: 10)
            return .text("user=\(request.pathParameters["id"] ?? "?") n=\(limit) route=\(request.route ?? "")")
        }
        router.get("/v1/news/{id}") { request in .text("news \(try request.pathParameters.value("id", as: Int.self))") }
        router.get("/v1/news/stats") { _ in .text("stats") }
        router.post("/v1/news/{id}") { _ in .text("posted") }
        router.get("/boom") { _ in throw CocoaError(.fileNoSuchFile) }
        router.get("/teapot") { _ in throw HTTPError(418, "short and stout") }
        router.get("/unencodable") { _ in try .json(object: Date()) }
        router.get("/typo") { request in .text(try request.pathParameters.value("nope", as: String.self)) }
        return router
    }

    private func get(_ path: String, query: [QueryParameters.Item] = [], method: HTTPMethod = .get) -> HTTPResponse {
        router().respond(to: HTTPRequest(method: method, path: path, query: QueryParameters(query)))
    }

    @Test func pathAndQueryParameters() {
        let response = get("/v1/users/U42/recommendations", query: [("n", "5")])
        #expect(response.status == .ok)
        #expect(String(decoding: response.body, as: UTF8.self) == "user=U42 n=5 route=/v1/users/{id}/recommendations")
    }

    @Test func percentEncodedSlashStaysInOneParameter() {
        let response = get("/v1/users/a%2Fb%20c/recommendations")
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("user=a/b c "))
    }

    @Test func trailingAndDoubleSlashesAreIgnored() {
        #expect(get("/v1//news/stats/").status == .ok)
    }

    @Test func literalSegmentBeatsParameter() {
        #expect(String(decoding: get("/v1/news/stats").body, as: UTF8.self) == "stats")
        #expect(String(decoding: get("/v1/news/7").body, as: UTF8.self) == "news 7")
    }

    @Test func typedParameterErrorsAre400NamingTheParameter() {
        let path = get("/v1/news/seven")
        #expect(path.status == .badRequest)
        #expect(String(decoding: path.body, as: UTF8.self).contains("path parameter 'id' must be an integer"))
        let query = get("/v1/users/U1/recommendations", query: [("n", "many")])
        #expect(query.status == .badRequest)
        #expect(String(decoding: query.body, as: UTF8.self).contains("query parameter 'n' must be an integer"))
    }

    @Test func unknownPathIs404JSON() throws {
        let response = get("/nowhere")
        #expect(response.status == .notFound)
        #expect(response.headers["content-type"] == HTTPResponse.jsonContentType)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(object == ["error": "no route for GET /nowhere"])
    }

    @Test func wrongMethodIs405WithAllow() {
        let response = get("/v1/news/3", method: .delete)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD, POST")
    }

    @Test func headFallsBackToGet() {
        #expect(get("/v1/news/stats", method: .head).status == .ok)
    }

    @Test func errorsMapToStatusesWithoutLeakingInternals() {
        let boom = get("/boom")
        #expect(boom.status == .internalServerError)
        #expect(String(decoding: boom.body, as: UTF8.self) == #"{"error":"internal server error"}"#)
        let teapot = get("/teapot")
        #expect(teapot.status.code == 418)
        #expect(String(decoding: teapot.body, as: UTF8.self) == #"{"error":"short and stout"}"#)
        #expect(get("/typo").status == .internalServerError)
        #expect(get("/unencodable").status == .internalServerError)
    }

    @Test func dispatchReportsRouteLabelAndUnexpectedError() {
        let router = router()
        let boom = router.dispatch(HTTPRequest(method: .get, path: "/boom"))
        #expect(boom.routeLabel == "/boom")
        #expect(boom.unexpectedError is CocoaError)
        #expect(router.dispatch(HTTPRequest(method: .get, path: "/x/y")).routeLabel == "unmatched")
        #expect(router.routeLabel(for: "/v1/news/9") == "/v1/news/{id}")
    }

    @Test func errorBodiesEscapeJSON() {
        let response = HTTPResponse.error(.badRequest, "bad \"x\"\n\u{1}")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":"bad \"x\"\n\u0001"}"#)
    }
}
