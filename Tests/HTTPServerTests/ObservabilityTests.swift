import Foundation
import Synchronization
import Testing
@testable import HTTPServer

/// Metrics, access log and bearer tokens, over real requests.
@Suite("HTTPServer observability and auth")
struct ObservabilityTests {
    @Test func metricsCountRequestsByRouteAndStatus() throws {
        let registry = MetricsRegistry()
        let clicks = registry.counter("clicks_recorded_total", help: "Clicks recorded.")
        var router = Router()
        router.get("/items/{id}") { _ in
            clicks.increment()
            return .text("item")
        }
        router.addMetrics(registry)
        try withServer(router, metrics: registry) { _, port in
            for path in ["/items/1", "/items/2", "/nowhere", "/items/3"] { _ = try request("GET", path, port: port) }
            _ = try request("POST", "/items/1", port: port)
            let response = try request("GET", "/metrics", port: port)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == MetricsRegistry.contentType)
            let parsed = try Exposition(response.text)
            #expect(parsed.samples["http_requests_total{method=\"GET\",route=\"/items/{id}\",status=\"200\"}"] == 3)
            #expect(parsed.samples["http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"] == 1)
            #expect(parsed.samples["http_requests_total{method=\"POST\",route=\"/items/{id}\",status=\"405\"}"] == 1)
            #expect(parsed.samples["http_request_duration_seconds_count{method=\"GET\",route=\"/items/{id}\"}"] == 3)
            #expect(parsed.samples["http_request_duration_seconds_bucket{method=\"GET\",route=\"/items/{id}\",le=\"+Inf\"}"] == 3)
            #expect((parsed.samples["http_requests_in_flight"] ?? 0) >= 1, "the scrape itself is in flight")
            #expect(parsed.samples["clicks_recorded_total"] == 3)
            #expect(parsed.types["http_request_duration_seconds"] == "histogram")
            #expect(parsed.helps["http_requests_total"] != nil)
        }
    }

    @Test func accessLogLinesAreJSON() throws {
        let lines = Mutex<[String]>([])
        var router = Router()
        router.get("/hello/{name}") { request in .text("hi \(request.pathParameters["name"] ?? "")") }
        try withServer(router, accessLog: { entry in lines.withLock { $0.append(entry.jsonLine) } }) { _, port in
            _ = try request("GET", "/hello/ann?secret=1", port: port)
            _ = try request("GET", "/missing", port: port)
        }
        let logged = lines.withLock { $0 }
        #expect(logged.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(logged[0].utf8)) as? [String: Any])
        #expect(first["method"] as? String == "GET")
        #expect(first["path"] as? String == "/hello/ann")
        #expect(first["status"] as? Int == 200)
        #expect(first["bytes"] as? Int == 6)
        #expect(first["remote"] as? String == "127.0.0.1")
        #expect((first["duration_ms"] as? Double).map { $0 >= 0 } == true)
        let time = try #require(first["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))
        #expect(try JSONDecoder().decode(AccessLogEntry.self, from: Data(logged[1].utf8)).status == 404)
    }

    @Test func bearerTokenProtectsRoutes() throws {
        var router = Router(requiredToken: try BearerToken("let-me-in"))
        router.get("/private") { _ in .text("secret") }
        router.get("/healthz", access: .open) { _ in .text("ok") }
        try withServer(router) { _, port in
            let anonymous = try request("GET", "/private", port: port)
            #expect(anonymous.status == 401)
            #expect(anonymous.header("WWW-Authenticate") == "Bearer")
            #expect(anonymous.errorMessage == "missing or invalid bearer token")
            let wrong = try request("GET", "/private", port: port, headers: ["Authorization": "Bearer let-me-out"])
            #expect(wrong.status == 401)
            let right = try request("GET", "/private", port: port, headers: ["Authorization": "Bearer let-me-in"])
            #expect(right.status == 200 && right.text == "secret")
            #expect(try request("GET", "/healthz", port: port).status == 200)
        }
    }
}
