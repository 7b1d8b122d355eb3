import Foundation
import HTTPServer
import MIND
import Ranking
import Serving
import Testing
import TestSupport

/// Error classes, the token guard, status routes and metrics of the service.
@Suite("Service contract")
struct ServiceContractTests {
    @Test("every error class answers its status with a JSON error")
    func errors() throws {
        let served = try ServedStore(configuration: ServedStore.quietConfiguration(maxBodyBytes: 4096))
        let cases: [(String, String, String?, Int, String)] = [
            ("GET", "/v2/rank", nil, 404, "no route"),
            ("GET", "/v1/rank", nil, 405, "GET is not allowed"),
            ("DELETE", "/v1/clicks", nil, 405, "not allowed"),
            ("POST", "/v1/rank", #"{"user": "U1", "candidates": ["N1"#, 400, "not valid JSON"),
            ("POST", "/v1/rank", "", 400, "empty"),
            ("POST", "/v1/rank", #"{"user": "U1", "top": "ten"}"#, 400, "field 'top'"),
            ("POST", "/v1/rank", #"{"user": "U1", "top": 0}"#, 400, "field 'top' must be 1 to"),
            ("POST", "/v1/rank", #"{"candidates": ["N1"]}"#, 400, "missing field 'user'"),
            ("POST", "/v1/rank", #"{"user": "U1", "candidates": "N1"}"#, 400, "field 'candidates'"),
            ("POST", "/v1/rank", #"{"user": "U1", "candidates": []}"#, 400, "at least one"),
            ("POST", "/v1/rank", #"{"user": "U1", "candidates": ["N1", "N 2", "x-y"]}"#, 400, #""N 2", "x-y""#),
            ("POST", "/v1/rank", #"{"user": "U/1", "candidates": ["N1"]}"#, 400, "field 'user'"),
            ("POST", "/v1/rank", #"{"user": "U1", "candidates": ["N1", "N404", "N405"]}"#, 422, "N404, N405"),
            ("POST", "/v1/rank", #"{"user": "U7", "candidates": ["N1", "N404"]}"#, 422, "N404"),
            ("POST", "/v1/rank", "{\"user\": \"\(String(repeating: "x", count: 5000))\"}", 413, "exceeds the limit"),
            ("GET", "/v1/users/U1/recommendations?top=abc", nil, 400, "query parameter 'top'"),
            ("GET", "/v1/users/U1/recommendations?fresh_hours=-1", nil, 400, "fresh_hours"),
            ("GET", "/v1/users/U1/recommendations?exclude_clicked=maybe", nil, 400, "exclude_clicked"),
            ("GET", "/v1/users/%20/recommendations", nil, 400, "path parameter 'id'"),
        ]
        for (method, target, body, status, message) in cases {
            let response = try served.call(method, target, json: body)
            #expect(response.status == status, "\(method) \(target) \(body ?? ""): \(response.text)")
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(response.errorMessage?.contains(message) == true, "\(method) \(target): \(response.text)")
        }
    }

    @Test("with a token the write routes need it (401 otherwise); reads stay open; no token off loopback")
    func tokenGuard() throws {
        let token = try BearerToken("s3cret-token")
        let served = try ServedStore(configuration: ServedStore.quietConfiguration(token: token))
        let click = #"{"user": "U1", "news": "N1"}"#
        let news = #"{"news": [{"id": "N77", "category": "c", "subcategory": "s", "title": "t"}]}"#
        for (target, body) in [("/v1/clicks", click), ("/v1/news", news)] {
            for headers in [[:], ["Authorization": "Bearer wrong"], ["Authorization": "Basic s3cret-token"]] {
                let response = try served.call("POST", target, json: body, headers: headers)
                #expect(response.status == 401 && response.header("WWW-Authenticate") == "Bearer")
                #expect(response.errorMessage == "missing or invalid bearer token")
            }
            let response = try served.call("POST", target, json: body,
                                           headers: ["Authorization": "Bearer s3cret-token"])
            #expect(response.status == 200, "\(target): \(response.text)")
        }
        #expect(try served.recordedClicks() == 1)
        #expect(try served.call("POST", "/v1/rank", json: #"{"user": "U1"}"#).status == 200)
        #expect(try served.call("GET", "/v1/model").status == 200)

        #expect(throws: ServiceError.unprotectedBind(host: "0.0.0.0")) {
            try ServiceConfiguration(host: "0.0.0.0", port: 0).validate()
        }
        try ServiceConfiguration(host: "0.0.0.0", port: 0, token: token).validate()
        try ServiceConfiguration(host: "::1", port: 0).validate()
        let file = try served.folder.file("token", "  s3cret-token\n")
        #expect(try ServiceConfiguration.token(fromFile: file.path).matches("s3cret-token"))
        let bad = try served.folder.file("bad-token", "two words\n")
        #expect(throws: ServiceError.self) { try ServiceConfiguration.token(fromFile: bad.path) }
        #expect(throws: ServiceError.self) { try ServiceConfiguration.token(fromFile: "/nonexistent/token") }
    }

    @Test("model, liveness and readiness")
    func status() throws {
        let served = try ServedStore()
        let model = try served.call("GET", "/v1/model")
        #expect(model.status == 200)
        let info = try JSONDecoder().decode(ModelResponse.self, from: Data(model.body))
        #expect(info.id == served.ranker.model.id && info.dimension == 8 && info.historyLength == 5)
        #expect(info.config?.hiddenSize == 8 && info.cachedNews == 0)
        _ = try served.rank("U7", candidates: ["N1", "N2"])
        #expect(try served.call("GET", "/v1/model").json?["cached_news"] as? Int ?? 0 > 0)
        #expect(try served.call("GET", "/healthz").text == #"{"status":"ok"}"#)
        let ready = try served.call("GET", "/readyz")
        #expect(ready.status == 200 && ready.json?["status"] as? String == "ready")
        #expect(ready.json?["model"] as? String == served.ranker.model.id)
    }

    @Test("metrics: requests by route and status, latency, user-vector cache, clicks, news")
    func metrics() throws {
        let served = try ServedStore()
        _ = try served.rank("U7", candidates: ["N1", "N2"])      // miss
        _ = try served.rank("U7", candidates: ["N1", "N3"])      // hit
        _ = try served.rank("newcomer", candidates: ["N1"])      // popularity
        _ = try served.call("POST", "/v1/rank", json: #"{"user": "U7", "candidates": ["N404"]}"#)
        _ = try served.call("POST", "/v1/clicks", json: #"{"clicks": [{"user": "U1", "news": "N1"}, {"user": "U1", "news": "N2"}]}"#)
        _ = try served.call("POST", "/v1/news", json: #"{"news": [{"id": "N90", "category": "c", "subcategory": "s", "title": "music star"}]}"#)
        let response = try served.call("GET", "/metrics")
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let values = metricValues(response.text)
        #expect(values[#"http_requests_total{method="POST",route="/v1/rank",status="200"}"#] == 3)
        #expect(values[#"http_requests_total{method="POST",route="/v1/rank",status="422"}"#] == 1)
        #expect(values[#"http_request_duration_seconds_count{method="POST",route="/v1/rank"}"#] == 4)
        #expect(values[ServiceMetrics.userVectorHits] == 1)
        #expect(values[ServiceMetrics.userVectorMisses] == 1)
        #expect(values[ServiceMetrics.rankings + #"{method="popularity"}"#] == 1)
        #expect(values[ServiceMetrics.clicksRecorded] == 2)
        #expect(values[ServiceMetrics.newsAdded] == 1)
        #expect(values[ServiceMetrics.newsEncoded] == 1)
    }
}
