import Foundation

/// One run of the `wrk` HTTP load generator (Debian's `wrk` 4.1) against a local server, read back from the
/// JSON line its Lua `done` hook prints.
struct WrkRun {
    /// The figures of one run.
    struct Result: Codable, Sendable {
        var requests: Int
        var durationMicroseconds: Int
        /// Responses with a status other than 2xx/3xx (the service answers no 3xx).
        var non2xx: Int
        /// Connect, read, write errors and timeouts.
        var socketErrors: Int
        var p50Microseconds: Double
        var p90Microseconds: Double
        var p99Microseconds: Double
        var maxMicroseconds: Double
    }

    /// The marker of the result line.
    static let marker = "WRK_RESULT "

    /// The Lua `done` hook that prints the result line.
    static let doneHook = """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format('\(marker){"requests":%d,"durationMicroseconds":%d,"non2xx":%d,' ..
            '"socketErrors":%d,"p50Microseconds":%d,"p90Microseconds":%d,"p99Microseconds":%d,' ..
            '"maxMicroseconds":%d}\\n', summary.requests, summary.duration, e.status,
            e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(90),
            latency:percentile(99), latency.max))
        end
        """

    /// The `wrk` executable on `PATH`.
    /// - Throws: `BenchmarkError.missingTool` when there is none.
    static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("wrk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BenchmarkError.missingTool(name: "wrk", install: "scripts/bench-serve installs it (apt-get install wrk)")
    }

    /// Runs `wrk -t1 -c<connections> -d<seconds>s --latency -s <script> <url>` and reads its result line.
    static func run(script: URL, url: String, connections: Int, seconds: Int) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = ["-t1", "-c\(connections)", "-d\(seconds)s", "--timeout", "5s", "--latency",
                             "-s", script.path, url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(marker) }) else {
            throw BenchmarkError.toolFailed(name: "wrk", output: text)
        }
        return try JSONDecoder().decode(Result.self, from: Data(line.dropFirst(marker.count).utf8))
    }
}
