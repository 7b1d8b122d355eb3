import Foundation
import Glibc
import MIND
import Serving
import Store
import Testing
import TestSupport

/// Clients that do not play along, and other processes writing the store, do not hold up the service.
@Suite("Service concurrency")
struct ConcurrencyTests {
    @Test("a client sending one byte a second does not delay other clients, even on one server thread")
    func slowClient() throws {
        let served = try ServedStore(configuration: ServedStore.quietConfiguration(threads: 1))
        _ = try served.rank("U7", candidates: ["N1", "N2"])
        let body = Array(#"{"user": "U7", "candidates": ["N1", "N2"]}"#.utf8)
        let request = Array("POST /v1/rank HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        let slow = try RawConnection(port: served.port, timeout: 10)
        let trickled = 3
        let finished = DispatchSemaphore(value: 0)
        let sender = Thread {
            for byte in request.prefix(trickled) {
                try? slow.send([byte])
                sleep(1)
            }
            finished.signal()
        }
        sender.start()
        usleep(200_000)
        let started = ContinuousClock.now
        var slowest = Duration.zero
        for _ in 0 ..< 20 {
            let begin = ContinuousClock.now
            let response = try served.call("POST", "/v1/rank", json: String(decoding: body, as: UTF8.self))
            #expect(response.status == 200)
            slowest = max(slowest, ContinuousClock.now - begin)
        }
        let others = ContinuousClock.now - started
        #expect(slowest < .milliseconds(500), "slowest request \(slowest)")
        #expect(others < .seconds(2), "20 requests took \(others) beside the slow client")
        finished.wait()
        try slow.send(Array(request.dropFirst(trickled)))
        let response = try slow.readResponse()
        #expect(response.status == 200 && response.json?["user"] as? String == "U7")
    }

    @Test("warm and cold rankings and reads go on while a newsrec ingest process writes the same store")
    func servesDuringIngest() throws {
        let served = try ServedStore()
        try served.ranker.embedMissingNews()
        _ = try served.rank("U7", candidates: ["N1", "N2", "N3"])
        let (newsFile, behaviorsFile) = try Self.writeSplit(in: served.folder, news: 3000, impressions: 12_000)
        let done = DispatchSemaphore(value: 0)
        let ingest = try ProcessRun.start(
            try BuiltProducts.executable("newsrec"),
            ["ingest", "--db", served.storePath, "--split", "train", "--news", newsFile.path,
             "--behaviors", behaviorsFile.path],
            output: try served.folder.file("ingest.out", ""), errors: try served.folder.file("ingest.err", "")) { _ in
            done.signal()
        }
        var during = 0, failures: [String] = []
        var coldUsers = (1 ... 14).filter { $0 != 7 }.map { "U\($0)" }   // no vector cached yet: computed now
        var slowest = Duration.zero
        while ingest.isRunning {
            if let user = coldUsers.popLast() {
                let begin = ContinuousClock.now
                let response = try served.call("POST", "/v1/rank", json: #"{"user": "\#(user)", "candidates": ["N5"]}"#)
                slowest = max(slowest, ContinuousClock.now - begin)
                if response.status != 200 { failures.append("cold \(user): \(response.status) \(response.text)") }
            }
            for (method, target, body) in [("POST", "/v1/rank", #"{"user": "U7", "candidates": ["N1","N2","N3"]}"#),
                                           ("GET", "/v1/users/U7/recommendations?top=3", nil),
                                           ("GET", "/v1/model", nil)] {
                let response = try served.call(method, target, json: body)
                if response.status != 200 { failures.append("\(target): \(response.status) \(response.text)") }
            }
            if ingest.isRunning { during += 1 }
        }
        done.wait()
        ingest.waitUntilExit()
        #expect(ingest.terminationStatus == 0)
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(during >= 3, "only \(during) rounds of requests while the ingest ran")
        #expect(slowest < .seconds(1), "a cold ranking waited \(slowest) for the ingest's write lock")
        let click = try served.call("POST", "/v1/clicks", json: #"{"user": "V1", "news": "X7"}"#)
        #expect(click.status == 200, "\(click.text)")
    }

    /// A news.tsv of `news` articles X0… and a behaviors.tsv of `impressions` impressions of users V0… over them.
    static func writeSplit(in folder: TemporaryDirectory, news: Int, impressions: Int) throws -> (URL, URL) {
        let words = TinyNRMS.words
        let articles = (0 ..< news).map { index in
            NewsArticle(id: NewsID("X\(index)"), category: "c", subcategory: "s",
                        title: (0 ..< 6).map { words[(index * 7 + $0 * 3) % words.count] }.joined(separator: " "),
                        abstract: "", url: "")
        }
        let rows = (0 ..< impressions).map { index in
            Impression(id: index + 1, user: UserID("V\(index % 1000)"), time: TinyNRMS.start + 7200 + Int64(index),
                       history: (0 ..< 20).map { NewsID("X\((index + $0 * 13) % news)") },
                       candidates: (0 ..< 30).map { Candidate(news: NewsID("X\((index * 31 + $0) % news)"),
                                                              clicked: $0 == 0) })
        }
        return (try folder.file("train/news.tsv", MINDText.news(articles)),
                try folder.file("train/behaviors.tsv", MINDText.behaviors(rows)))
    }
}
