import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing
import TestSupport
@testable import HTTPServer

/// Requests over real sockets: routing, status mapping, JSON errors, body limits.
@Suite("HTTPServer routing and errors")
struct ServerRoutingTests {
    struct Echo: Codable, Equatable { var user: String; var n: Int }

    static func router() -> Router {
        var router = Router()
        router.get("/v1/users/{id}/recommendations") { request in
            try .json(Echo(user: try request.pathParameters.value("id", as: String.self),
                           n: try request.query.value("n", as: Int.self, default: 10)))
        }
        router.post("/echo") { request in
            let echo = try request.decodeJSON(Echo.self)
            return try .json(echo, status: .created)
        }
        router.post("/bytes") { request in
            var checksum: UInt64 = 1469598103934665603
            for byte in request.body { checksum = (checksum ^ UInt64(byte)) &* 1099511628211 }
            return try .json(object: ["length": request.body.count, "fnv": String(checksum, radix: 16)])
        }
        router.get("/boom") { _ in throw POSIXError(.EIO) }
        return router
    }

    @Test func pathParametersAndDecodedQuery() throws {
        try withServer(Self.router()) { _, port in
            let response = try request("GET", "/v1/users/U%2042/recommendations?n=7&x=a+b", port: port)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(try JSONDecoder().decode(Echo.self, from: Data(response.body)) == Echo(user: "U 42", n: 7))
        }
    }

    @Test func notFoundAndMethodNotAllowed() throws {
        try withServer(Self.router()) { _, port in
            let missing = try request("GET", "/v2/nothing", port: port)
            #expect(missing.status == 404)
            #expect(missing.errorMessage == "no route for GET /v2/nothing")
            let wrong = try request("DELETE", "/echo", port: port)
            #expect(wrong.status == 405)
            #expect(wrong.header("Allow") == "POST")
            #expect(wrong.errorMessage == "DELETE is not allowed on /echo")
        }
    }

    @Test func malformedJSONIs400NamingTheProblem() throws {
        try withServer(Self.router()) { _, port in
            let broken = try request("POST", "/echo", port: port, body: Array(#"{"user": "U1", "n": }"#.utf8))
            #expect(broken.status == 400)
            #expect(broken.errorMessage?.hasPrefix("request body is not valid JSON") == true)
            let mistyped = try request("POST", "/echo", port: port, body: Array(#"{"user": "U1", "n": "ten"}"#.utf8))
            #expect(mistyped.status == 400)
            #expect(mistyped.errorMessage == "field 'n' must be an integer")
            let fine = try request("POST", "/echo", port: port, body: Array(#"{"user": "U1", "n": 10}"#.utf8))
            #expect(fine.status == 201)
        }
    }

    @Test func throwingHandlerIs500WithoutDetails() throws {
        let reported = ErrorCollector()
        try withServer(Self.router(), errorLog: reported.record) { _, port in
            let response = try request("GET", "/boom", port: port)
            #expect(response.status == 500)
            #expect(response.text == #"{"error":"internal server error"}"#)
        }
        #expect(reported.paths == ["/boom"])
    }

    @Test func declaredOversizedBodyIs413BeforeReading() throws {
        try withServer(Self.router(), maxBodyBytes: 1000) { _, port in
            let connection = try RawConnection(port: port)
            try connection.send("POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 413)
            #expect(response.errorMessage == "request body exceeds the limit of 1000 bytes")
            #expect(connection.waitForClose())
            #expect(try request("POST", "/bytes", port: port, body: [UInt8](repeating: 7, count: 1000)).status == 200)
        }
    }

    @Test func chunkedOversizedBodyIs413AfterTheLimit() throws {
        try withServer(Self.router(), maxBodyBytes: 1000) { _, port in
            let connection = try RawConnection(port: port)
            var message = "POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            for _ in 0..<3 { message += "258\r\n" + String(repeating: "x", count: 600) + "\r\n" }
            try connection.send(message + "0\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            try connection.sendRequest("POST", "/bytes", body: Array("ok".utf8))
            #expect(try connection.readResponse().json?["length"] as? Int == 2)
        }
    }

    @Test func largeChunkedBodyUnderTheLimitArrivesIntact() throws {
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        var checksum: UInt64 = 1469598103934665603
        for byte in body { checksum = (checksum ^ UInt64(byte)) &* 1099511628211 }
        try withServer(Self.router(), maxBodyBytes: 512 * 1024) { _, port in
            let connection = try RawConnection(port: port)
            try connection.send("POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            var offset = 0
            var size = 1
            while offset < body.count {
                let end = min(body.count, offset + size)
                try connection.send(Array(String(end - offset, radix: 16).utf8) + [13, 10] + body[offset..<end] + [13, 10])
                offset = end
                size = size * 3 + 7
            }
            try connection.send("0\r\n\r\n")
            let json = try #require(try connection.readResponse().json)
            #expect(json["length"] as? Int == body.count)
            #expect(json["fnv"] as? String == String(checksum, radix: 16))
        }
    }

    @Test func expectContinueGetsInterimResponseThenAnswer() throws {
        try withServer(Self.router()) { _, port in
            let connection = try RawConnection(port: port)
            try connection.send("POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            #expect(try connection.readResponse(head: true).status == 100)
            try connection.send("abc")
            #expect(try connection.readResponse().json?["length"] as? Int == 3)
        }
    }

    @Test func headGetsHeadersOnly() throws {
        try withServer(Self.router()) { _, port in
            let connection = try RawConnection(port: port)
            try connection.sendRequest("HEAD", "/v1/users/U1/recommendations")
            let head = try connection.readResponse(head: true)
            #expect(head.status == 200)
            try connection.sendRequest("GET", "/v1/users/U1/recommendations")
            #expect(try connection.readResponse().status == 200)
        }
    }

    @Test func urlSessionClientWorks() async throws {
        let server = HTTPServer(router: Self.router())
        let port = try server.start()
        defer { server.stop(timeout: .seconds(2)) }
        var post = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/echo")!)
        post.httpMethod = "POST"
        post.httpBody = Data(#"{"user":"U9","n":1}"#.utf8)
        post.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: post)
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        #expect(try JSONDecoder().decode(Echo.self, from: data) == Echo(user: "U9", n: 1))
    }
}

/// Collects the paths of requests reported to an `ErrorLogSink`.
final class ErrorCollector: Sendable {
    private let storage = Mutex<[String]>([])
    var paths: [String] { storage.withLock { $0 } }
    var record: ErrorLogSink { { [self] _, request in storage.withLock { $0.append(request.path) } } }
}
