import Benchmarks
import Foundation

/// `newsrec bench serve`: load-tests the HTTP service with wrk.
struct BenchServeCommand: Command {
    static let configuration = CommandConfiguration(
        name: "serve",
        abstract: "the HTTP service under wrk: requests/s and latency of rank, and of a rank/click mix",
        discussion: """
            Builds the synthetic store of bench rank (its whole catalogue of news, every news vector cached),
            starts the service of newsrec serve in this process on a free loopback port, and drives it with wrk
            (one thread, keep-alive connections; wrk must be installed: scripts/bench-serve installs it) for
            each of --connections:
              - POST /v1/rank with --candidate-count candidates and top 10, for the users with the longest
                histories (user vectors warm);
              - a 90/10 mix of that rank request and POST /v1/clicks for the same users (a click makes that
                user's next ranking recompute the user vector).
            Reports requests/s, p50/p90/p99/max latency as wrk measures it, non-2xx answers and socket errors,
            the server's CPU time per request (this process, wrk excluded), and the load average before each
            run (the server and wrk share the machine: run it on a quiet one). Without --model the
            model is a randomly initialised NRMS/Fastformer of the MIND sizes.
            """,
        examples: ["newsrec bench serve", "scripts/bench-serve --json > serve.json"])

    private static let defaults = ServeBenchmark.Options()
    static let connections = Option(
        "--connections", .list(of: ValueParser<Int>.integer), default: defaults.connections,
        rule: ValueRule("each at least 1") { $0.allSatisfy { $0 >= 1 } }, help: "keep-alive connections of each run")
    static let duration = Option(
        "--duration", .integer, default: defaults.seconds, rule: .atLeast(1), help: "seconds of each run")
    static let threads = ThreadOptions.threads.withDefault(defaults.serverThreads, help: "server threads")

    static var options: [any OptionDeclaration] {
        BenchStoreOptions.all + [connections, duration, threads, OutputOptions.json]
    }

    var store: BenchStoreOptions.Choice
    var benchmark = ServeBenchmark.Options()
    var json: Bool

    static func validate(_ options: ParsedOptions) throws { try BenchStoreOptions.validate(options) }

    init(options: ParsedOptions) {
        store = BenchStoreOptions.Choice(options: options)
        benchmark.store = store.store
        benchmark.connections = options[Self.connections]
        benchmark.seconds = options[Self.duration]
        benchmark.serverThreads = options[Self.threads]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        let report = try store.run(scratchName: "bench-serve") { path, model in
            try ServeBenchmark.run(storePath: path, options: benchmark, model: model, log: context.log)
        }
        try context.print(report, json: json)
    }
}
