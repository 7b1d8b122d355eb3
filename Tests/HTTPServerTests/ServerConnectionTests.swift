import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport
@testable import HTTPServer

/// Connection handling: keep-alive, concurrency, slow and idle clients.
@Suite("HTTPServer connections")
struct ServerConnectionTests {
    static func router() -> Router {
        var router = Router()
        router.get("/ping") { _ in .text("pong") }
        router.post("/size") { request in .text(String(request.body.count)) }
        router.get("/work/{n}") { request in
            usleep(5000)
            return .text(try request.pathParameters.value("n", as: String.self))
        }
        return router
    }

    @Test func keepAliveReusesTheConnection() throws {
        try withServer(Self.router()) { _, port in
            let connection = try RawConnection(port: port)
            try connection.sendRequest("GET", "/ping")
            let first = try connection.readResponse()
            #expect(first.status == 200 && first.text == "pong")
            #expect(first.header("Connection")?.lowercased() != "close")
            try connection.sendRequest("POST", "/size", body: Array("12345".utf8))
            let second = try connection.readResponse()
            #expect(second.status == 200 && second.text == "5")
            try connection.sendRequest("GET", "/nowhere")
            #expect(try connection.readResponse().status == 404)
            try connection.sendRequest("GET", "/ping")
            #expect(try connection.readResponse().text == "pong")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withServer(Self.router()) { _, port in
            let connection = try RawConnection(port: port)
            try connection.send("GET /work/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /work/2 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try connection.readResponse().text == "1")
            #expect(try connection.readResponse().text == "2")
        }
    }

    @Test func hundredConcurrentRequestsAreAllAnswered() throws {
        try withServer(Self.router(), threads: 4) { _, port in
            let answers = Mutex<[String]>([])
            let group = DispatchGroup()
            for worker in 0..<10 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    for index in 0..<10 {
                        let n = worker * 10 + index
                        let text = (try? request("GET", "/work/\(n)", port: port))?.text ?? "failed \(n)"
                        answers.withLock { $0.append(text) }
                    }
                }
            }
            #expect(group.wait(timeout: .now() + 20) == .success)
            let received = answers.withLock { $0 }
            #expect(received.sorted() == (0..<100).map(String.init).sorted())
        }
    }

    @Test func slowClientDoesNotDelayOthers() throws {
        try withServer(Self.router(), threads: 1) { _, port in
            let slow = try RawConnection(port: port)
            let head = Array("GET /ping HTTP/1.1\r\nHost: slow\r\n\r\n".utf8)
            for byte in head.prefix(3) {
                try slow.send([byte])
                usleep(100_000)
            }
            var fast: RawResponse?
            let elapsed = try seconds { fast = try request("GET", "/ping", port: port) }
            #expect(fast?.text == "pong")
            #expect(elapsed < 0.5, "a request behind a trickling client took \(elapsed) s")
            for byte in head.dropFirst(3).prefix(5) {
                try slow.send([byte])
                usleep(100_000)
            }
            try slow.send(Array(head.dropFirst(8)))
            #expect(try slow.readResponse().text == "pong")
        }
    }

    @Test func idleConnectionIsClosedAfterTheTimeout() throws {
        try withServer(Self.router(), connectionTimeout: .seconds(1)) { _, port in
            let idle = try RawConnection(port: port, timeout: 4)
            try idle.send("GET /ping HTTP/1.1\r\n")
            var closed = false
            let elapsed = seconds { closed = idle.waitForClose() }
            #expect(closed)
            #expect(elapsed > 0.8 && elapsed < 3.5, "closed after \(elapsed) s")
            #expect(try request("GET", "/ping", port: port).text == "pong")
        }
    }
}
