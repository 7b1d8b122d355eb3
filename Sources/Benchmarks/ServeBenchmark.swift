import Foundation
import Glibc
import HTTPServer
import MIND
import Ranking
import Serving

/// The service benchmark behind `newsrec bench serve`: `wrk` drives `POST /v1/rank` (and a 90/10 mix of rank and
/// click) against an in-process `Service` on the synthetic store of the ranking benchmark, at several numbers of
/// keep-alive connections, and reports requests/s, latency percentiles and non-2xx answers.
///
/// The server and `wrk` (one thread) share the machine. Rank requests carry 100 candidates for one of the
/// `userPool` users with the longest histories, whose user vectors are warm when the rank runs start; clicks (the
/// mix) go to the same users, so each click makes that user's next ranking recompute the user vector, as in
/// production.
public enum ServeBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        /// The synthetic store and candidate lists (the ranking benchmark's: 65,238 news, all cached).
        public var store = RankBenchmark.Options()
        /// Keep-alive connections of each run.
        public var connections = [1, 16, 64]
        /// Seconds of each run.
        public var seconds = 10
        /// Server pool threads.
        public var serverThreads = 2
        /// Users the requests are spread over.
        public var userPool = 50
        /// One request in `clickEvery` of the mix is a click.
        public var clickEvery = 10

        public init() {}
    }

    /// One `wrk` run.
    public struct Run: Codable, Sendable {
        /// `rank` or `rank 90 / click 10`.
        public var workload: String
        public var connections: Int
        public var requests: Int
        public var requestsPerSecond: Double
        public var p50Milliseconds: Double
        public var p90Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        public var non2xx: Int
        public var socketErrors: Int
        /// CPU time of this process (the server; wrk is another process) per request, in microseconds: the cost
        /// of a request whatever else the machine runs.
        public var serverCPUMicroseconds: Double
        /// The 1-minute load average just before the run.
        public var loadBefore: Double
    }

    /// The measured figures.
    public struct Report: Codable, Sendable {
        public var machine: Machine
        public var newsCount: Int
        public var candidateCount: Int
        public var userPool: Int
        public var dimension: Int
        public var serverThreads: Int
        public var secondsPerRun: Int
        public var runs: [Run]
    }

    /// Builds the synthetic store at `storePath` (which must not exist), embeds every news with `model`, serves
    /// it on a free loopback port and runs `wrk` against it. `log` receives progress lines.
    public static func run(storePath: String, options: Options, model: RankingBenchmarkModel,
                           log: (String) -> Void) throws -> Report {
        _ = try WrkRun.executable()
        guard !FileManager.default.fileExists(atPath: storePath) else { throw BenchmarkError.storeExists(storePath) }
        let data = try RankBenchmarkData.build(storePath: storePath, options: options.store, log: log)
        let ranker = try model.ranker(storePath: storePath, titles: data.titles)
        log("embedding \(data.newsIDs.count) news")
        try ranker.embedMissingNews()
        let users = try data.usersByHistoryLength(ranker: ranker).prefix(options.userPool).map(\.user)
        guard !users.isEmpty else { throw BenchmarkError.notEnoughData("no user with a click history") }
        try ranker.preloadNewsVectors()
        let bodies = try requestBodies(users: users, data: data, ranker: ranker)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("newsrec-bench-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rankScript = directory.appendingPathComponent("rank.lua")
        let mixScript = directory.appendingPathComponent("mix.lua")
        try script(rank: bodies.rank, click: bodies.click, clickEvery: 0).write(to: rankScript, atomically: true,
                                                                                 encoding: .utf8)
        try script(rank: bodies.rank, click: bodies.click, clickEvery: options.clickEvery)
            .write(to: mixScript, atomically: true, encoding: .utf8)

        let service = try Service(ranker: ranker, configuration: ServiceConfiguration(
            port: 0, threads: options.serverThreads, accessLog: nil))
        let url = "http://127.0.0.1:\(try service.start())"
        defer { service.stop(timeout: .seconds(5)) }
        log("serving on \(url); warming up")
        _ = try WrkRun.run(script: rankScript, url: url, connections: 16, seconds: 2)
        var runs: [Run] = []
        let mixName = "rank \(100 - 100 / options.clickEvery) / click \(100 / options.clickEvery)"
        for (workload, script) in [("rank", rankScript), (mixName, mixScript)] {
            for connections in options.connections {
                let load = currentLoad()
                let cpu = Stopwatch.processCPUNanoseconds()
                let result = try WrkRun.run(script: script, url: url, connections: connections,
                                            seconds: options.seconds)
                let cpuPerRequest = Double(Stopwatch.processCPUNanoseconds() - cpu) / 1e3
                    / Double(max(1, result.requests))
                let run = Run(result, workload: workload, connections: connections, cpu: cpuPerRequest,
                              loadBefore: load)
                log(String(format: "%@, %d connections: %.0f requests/s, p50 %.3f ms, p99 %.3f ms, %d non-2xx, "
                           + "%.0f µs server CPU per request", workload, connections, run.requestsPerSecond,
                           run.p50Milliseconds, run.p99Milliseconds, run.non2xx, run.serverCPUMicroseconds))
                runs.append(run)
            }
        }
        return Report(machine: .current(), newsCount: data.newsIDs.count, candidateCount: data.candidateCount,
                      userPool: users.count, dimension: ranker.model.dimension, serverThreads: options.serverThreads,
                      secondsPerRun: options.seconds, runs: runs)
    }

    /// One rank body per pool user (`top` 10 of 100 candidates) and 200 click bodies over the pool, with every
    /// user vector warmed by ranking each rank body once.
    static func requestBodies(users: [UserID], data: RankBenchmarkData, ranker: Ranker) throws
        -> (rank: [String], click: [String]) {
        let encoder = JSONEncoder()
        var rank: [String] = []
        for (index, user) in users.enumerated() {
            let candidates = data.candidates(for: index)
            _ = try ranker.ranking(user: user, candidates: candidates, top: 10)
            let body = RankRequest(user: user.rawValue, candidates: candidates.map(\.rawValue), top: 10)
            rank.append(String(decoding: try encoder.encode(body), as: UTF8.self))
        }
        let click = try (0 ..< 200).map { index in
            let body = ClickBody(user: users[index % users.count].rawValue,
                                 news: data.newsIDs[(index * 7919) % data.newsIDs.count].rawValue)
            return String(decoding: try encoder.encode(body), as: UTF8.self)
        }
        return (rank, click)
    }

    /// A wrk Lua script cycling through 1000 prepared requests: rank bodies, with every `clickEvery`-th a click
    /// (none for 0).
    static func script(rank: [String], click: [String], clickEvery: Int) -> String {
        func table(_ bodies: [String]) -> String {
            "{\n" + bodies.map { "  [==[\($0)]==]," }.joined(separator: "\n") + "\n}"
        }
        return """
            local rank = \(table(rank))
            local click = \(table(click))
            local every = \(clickEvery)
            local queue = {}
            local counter = 0
            init = function(args)
              local headers = { ["Content-Type"] = "application/json" }
              local r, c = 1, 1
              for i = 1, 1000 do
                if every > 0 and i % every == 0 then
                  queue[i] = wrk.format("POST", "/v1/clicks", headers, click[c])
                  c = c % #click + 1
                else
                  queue[i] = wrk.format("POST", "/v1/rank", headers, rank[r])
                  r = r % #rank + 1
                end
              end
            end
            request = function()
              counter = counter % #queue + 1
              return queue[counter]
            end
            \(WrkRun.doneHook)

            """
    }

    /// The 1-minute load average (/proc/loadavg), or -1 when unknown.
    static func currentLoad() -> Double {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.flatMap { Double($0) } ?? -1
    }
}

extension ServeBenchmark.Run {
    init(_ result: WrkRun.Result, workload: String, connections: Int, cpu: Double, loadBefore: Double) {
        self.init(workload: workload, connections: connections, requests: result.requests,
                  requestsPerSecond: Double(result.requests) / max(1e-9, Double(result.durationMicroseconds) / 1e6),
                  p50Milliseconds: result.p50Microseconds / 1000, p90Milliseconds: result.p90Microseconds / 1000,
                  p99Milliseconds: result.p99Microseconds / 1000, maxMilliseconds: result.maxMicroseconds / 1000,
                  non2xx: result.non2xx, socketErrors: result.socketErrors, serverCPUMicroseconds: cpu,
                  loadBefore: loadBefore)
    }
}

extension ServeBenchmark.Report: BenchmarkReport {
    public static var jsonFormatting: JSONEncoder.OutputFormatting { [.sortedKeys] }

    /// A Markdown table for BENCHMARKS.md and the terminal.
    public var text: String {
        var lines = ["| workload | connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | "
                        + "socket errors | server CPU µs/request | load before |",
                     "|---|---|---|---|---|---|---|---|---|---|---|"]
        for run in runs {
            lines.append(String(format: "| %@ | %d | %.0f | %.3f | %.3f | %.3f | %.1f | %d | %d | %.0f | %.2f |",
                                run.workload, run.connections, run.requestsPerSecond, run.p50Milliseconds,
                                run.p90Milliseconds, run.p99Milliseconds, run.maxMilliseconds, run.non2xx,
                                run.socketErrors, run.serverCPUMicroseconds, run.loadBefore))
        }
        lines.append("")
        lines.append("Store: \(newsCount) news (all cached, vectors of \(dimension) float32); rank requests: "
                     + "\(candidateCount) candidates, top 10, \(userPool) users with warm vectors; server "
                     + "\(serverThreads) threads; wrk 1 thread, \(secondsPerRun) s per run, keep-alive; "
                     + "\(machine.cores) cores (\(machine.cpu)) shared by server and wrk.")
        return lines.joined(separator: "\n")
    }
}
