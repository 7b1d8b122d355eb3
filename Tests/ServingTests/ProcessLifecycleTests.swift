import Foundation
import Glibc
import MIND
import Store
import Testing
import TestSupport

/// The real `newsrec serve` process: crash safety of acknowledged clicks, graceful stop, the access log, the
/// refusal of unprotected binds, and serving while another process ingests into the store.
@Suite("newsrec serve process")
struct ProcessLifecycleTests {
    @Test("clicks acknowledged before a kill -9 are in the store")
    func acknowledgedClicksSurviveKill() throws {
        let served = try ServedStore(serve: false)
        let server = try ServeProcess(served, ["--quiet"])
        for index in 0 ..< 10 {
            let response = try ServedStore.call("POST", "/v1/clicks", port: server.port,
                                                json: #"{"user": "K\#(index)", "news": "N\#(index)"}"#)
            #expect(response.status == 200 && response.text == #"{"recorded":1}"#)
        }
        let batch = (10 ..< 20).map { #"{"user": "K\#($0)", "news": "N\#($0)", "time": 1900000000}"# }
        let response = try ServedStore.call("POST", "/v1/clicks", port: server.port,
                                            json: #"{"clicks": [\#(batch.joined(separator: ","))]}"#)
        #expect(response.status == 200 && response.text == #"{"recorded":10}"#)
        server.send(SIGKILL)
        #expect(server.waitForExit(timeout: 10) != nil)
        let store = try NewsStore(path: served.storePath, create: false)
        #expect(try store.withConnection { try $0.recordedClickCount() } == 20)
        #expect(try store.withConnection { try $0.history(of: UserID("K19")) } == [NewsID("N19")])
    }

    @Test("SIGTERM refuses new connections, finishes the request in flight, closes the store and exits 0")
    func sigtermDrains() throws {
        let served = try ServedStore(serve: false)
        let server = try ServeProcess(served)
        #expect(try ServedStore.call("GET", "/healthz", port: server.port).status == 200)
        let body = Array(#"{"user": "D1", "news": "N3"}"#.utf8)
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /v1/clicks HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                            + "Content-Length: \(body.count)\r\n\r\n")
        try connection.send(Array(body[..<10]))
        usleep(300_000)
        server.send(SIGTERM)
        usleep(500_000)
        #expect(server.process.isRunning)
        #expect(RawConnection.connectionResult(port: server.port) != 0)
        try connection.send(Array(body[10...]))
        let response = try connection.readResponse()
        #expect(response.status == 200 && response.text == #"{"recorded":1}"#)
        #expect(server.waitForExit(timeout: 5) == 0)
        let log = server.stderrText
        #expect(log.contains("stopped (drained)"), "\(log)")
        let access = log.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(access.count == 2)
        let entry = try #require(try JSONSerialization.jsonObject(with: Data(access[1].utf8)) as? [String: Any])
        #expect(entry["path"] as? String == "/v1/clicks" && entry["status"] as? Int == 200)
        #expect(!FileManager.default.fileExists(atPath: served.storePath + "-wal"))   // store closed
        #expect(try NewsStore(path: served.storePath, create: false).withConnection {
            try $0.history(of: UserID("D1"))
        } == [NewsID("N3")])
    }

    @Test("a non-loopback address without --token-file is refused; --help lists every option")
    func refusesUnprotectedBind() throws {
        let served = try ServedStore(serve: false)
        let newsrec = try BuiltProducts.executable("newsrec")
        let base = ["serve", "--db", served.storePath, "--model", served.checkpoint.path, "--port", "0"]
        var run = try ProcessRun.run(newsrec, base + ["--host", "0.0.0.0"])
        #expect(run.status == 64)
        #expect(run.errors.contains("refusing to listen on 0.0.0.0 without a bearer token"), "\(run.errors)")
        let empty = try served.folder.file("empty-token", "\n")
        run = try ProcessRun.run(newsrec, base + ["--token-file", empty.path])
        #expect(run.status == 64 && run.errors.contains("bearer token is empty"), "\(run.errors)")
        run = try ProcessRun.run(newsrec, ["serve", "--help"])
        #expect(run.status == 0)
        for option in ["--db", "--model", "--host", "--port", "--threads", "--token-file", "--max-body", "--quiet",
                       "POST /v1/rank", "GET  /v1/users/{id}/recommendations", "POST /v1/clicks", "POST /v1/news",
                       "/healthz", "/readyz", "/metrics", "SIGTERM"] {
            #expect(run.output.contains(option), "serve --help lacks \(option)")
        }
    }
}
