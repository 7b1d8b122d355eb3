import Foundation
import MIND
import Store
import Testing
@testable import Ranking
import TestSupport

/// Readers rank while writers click, ingest and embed: nothing fails and no click is lost.
@Suite("Concurrent ranking, clicking and ingesting", .serialized)
struct ConcurrencyTests {
    /// Records of a larger set: `count` news and one impression per user, at `time`.
    static func records(news count: Int, users: Int, time: Int64) -> (news: [NewsArticle], impressions: [Impression]) {
        let news = (0 ..< count).map { index in
            NewsArticle(id: NewsID("N\(index)"), category: "c\(index % 5)", subcategory: "s",
                        title: "story \(index) word\(index % 7) topic\(index % 11)", abstract: "", url: "")
        }
        let impressions = (0 ..< users).map { user in
            Impression(id: user + 1, user: UserID("U\(user)"), time: time + Int64(user),
                       history: (0 ..< 4).map { NewsID("N\((user * 3 + $0 * 5) % count)") },
                       candidates: (0 ..< 5).map { Candidate(news: NewsID("N\((user + $0 * 7) % count)"), clicked: $0 == 0) })
        }
        return (news, impressions)
    }

    @Test("threads: rankers read while a writer records clicks and re-ingests and another embeds")
    func threads() throws {
        let file = try TemporaryStore()
        let data = Self.records(news: 60, users: 12, time: SmallData.start)
        try NewsStore(path: file.path).ingest(split: .dev, news: data.news, impressions: data.impressions)
        let ranker = try Ranker(storePath: file.path, encoder: HashingEncoder(), modelID: "1111222233334444",
                                config: "{}", checkpoint: "/ckpt")
        let failures = Failures()
        let clicksPerWriter = 40
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            do {
                switch worker {
                case 0:  // clicks, one transaction each, on its own connection
                    let store = try NewsStore(path: file.path, busyTimeout: 30)
                    for index in 0 ..< clicksPerWriter {
                        try store.withConnection { try $0.recordClicks([Click(user: UserID("U\(index % 12)"), news: NewsID("N\(index)"),
                                                      time: SmallData.start + 10_000 + Int64(index))]) }
                    }
                case 1:  // re-ingests the same split (replaces impressions, recomputes histories) and embeds
                    let store = try NewsStore(path: file.path)
                    for _ in 0 ..< 3 {
                        try store.ingest(split: .dev, news: data.news, impressions: data.impressions)
                        try ranker.embedMissingNews(batchSize: 16)
                    }
                default:  // readers
                    for round in 0 ..< 30 {
                        let user = UserID("U\((round + worker) % 14)")  // U12, U13: cold start
                        let candidates = (0 ..< 10).map { NewsID("N\((round * 3 + $0) % 60)") }
                        let ranked = try ranker.rank(user: user, candidates: candidates, top: 5)
                        if ranked.count != 5 { failures.add("got \(ranked.count) results") }
                        if round % 10 == 0 { _ = try ranker.rankCatalogue(user: user, top: 3) }
                    }
                }
            } catch {
                failures.add("worker \(worker): \(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try NewsStore(path: file.path).withConnection { try $0.recordedClickCount() } == clicksPerWriter)
    }

    @Test("processes: newsrec click and newsrec ingest processes write while this process ranks")
    func processes() throws {
        let binary = try BuiltProducts.executable("newsrec")
        let file = try TemporaryStore()
        let data = Self.records(news: 60, users: 12, time: SmallData.start)
        try NewsStore(path: file.path).ingest(split: .dev, news: data.news, impressions: data.impressions)
        let newsFile = file.directory.appendingPathComponent("news.tsv")
        let behaviorsFile = file.directory.appendingPathComponent("behaviors.tsv")
        try MINDText.news(data.news).write(to: newsFile, atomically: false, encoding: .utf8)
        try MINDText.behaviors(data.impressions).write(to: behaviorsFile, atomically: false, encoding: .utf8)
        let writers = 4, clicksPerFile = 25
        var processes: [Process] = []
        for writer in 0 ..< writers {
            let clicks = file.directory.appendingPathComponent("clicks\(writer).tsv")
            let lines = (0 ..< clicksPerFile).map { "U\(($0 + writer) % 12)\tN\(($0 * 7 + writer) % 60)\t\(SmallData.start + 20_000 + Int64($0))" }
            try (lines.joined(separator: "\n") + "\n").write(to: clicks, atomically: false, encoding: .utf8)
            processes.append(try launch(binary, ["click", "--db", file.path, "--file", clicks.path]))
            processes.append(try launch(binary, ["click", "--db", file.path, "--user", "U\(writer)",
                                                 "--news-id", "N\(writer)", "--time", "\(SmallData.start + 30_000)"]))
        }
        processes.append(try launch(binary, ["ingest", "--db", file.path, "--split", "train", "--news", newsFile.path,
                                             "--behaviors", behaviorsFile.path]))
        let ranker = try Ranker(storePath: file.path, encoder: HashingEncoder(), modelID: "5555666677778888",
                                config: "{}", checkpoint: "/ckpt")
        var ranked = 0
        while processes.contains(where: \.isRunning) || ranked < 20 {
            let user = UserID("U\(ranked % 12)")
            #expect(try ranker.rank(user: user, candidates: (0 ..< 8).map { NewsID("N\($0 + ranked % 50)") }).count == 8)
            ranked += 1
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(process.arguments ?? [])")
        }
        let store = try NewsStore(path: file.path)
        #expect(try store.withConnection { try $0.recordedClickCount() } == writers * (clicksPerFile + 1))
        #expect(try NewsStore(path: file.path).read { try $0.statistics() }.splits.map(\.split) == [.train, .dev])
    }

    private func launch(_ binary: URL, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// Thread-safe list of failure messages.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
