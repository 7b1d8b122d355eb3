import Foundation
import HTTPServer
import Ranking
import Serving
import Store

/// `newsrec serve`: the HTTP API over the store and a model (module `Serving`), until SIGTERM or SIGINT.
struct ServeCommand: Command {
    static let configuration = CommandConfiguration(
        name: "serve",
        abstract: "Serve rankings, clicks and news over HTTP from the store and a model.",
        discussion: """
            Starts a long-lived HTTP/1.1 service (JSON in and out; errors are {"error": "…"} with a 4xx/5xx
            status) over the store and the model of --model (a checkpoint, or a run directory: its latest
            checkpoint), and serves until SIGTERM or SIGINT:
              POST /v1/rank                        {"user", "candidates"?, "top"?} → the object of rank --json
                                                   (no candidates: the news shown in the last 24 hours)
              GET  /v1/users/{id}/recommendations  ?top=10&fresh_hours=24&exclude_clicked=true
                                                   (fresh_hours=0: the whole cached catalogue)
              POST /v1/clicks                      {"user", "news", "time"?} or {"clicks": [ … ]} → {"recorded": N}
              POST /v1/news                        {"news": [{"id", "category", "subcategory", "title",
                                                   "abstract"?, "url"?}]} → counts; vectors cached before answering
              GET  /v1/model, /healthz, /readyz, /metrics (Prometheus text)
            Unknown candidate or clicked news are 422 naming them; malformed JSON or ids 400; an unknown user or
            one without clicks gets the cold-start ranking (method "popularity"). Clicks are answered once they
            are committed to the store, so an acknowledged click survives a crash.

            Security: listens on 127.0.0.1 by default. With --token-file, POST /v1/clicks and POST /v1/news need
            "Authorization: Bearer <token>" (401 otherwise); the file holds the token (surrounding whitespace is
            ignored). Listening on another address without --token-file is refused.

            The store may be written meanwhile by newsrec ingest, click or embed (WAL): rankings never wait for
            another process's write lock (what they compute is then used uncached); clicks and news wait up to
            30 s for it. SIGTERM/SIGINT stop accepting connections, let requests in flight
            finish (up to 5 s), close the store and exit 0. One JSON access-log line per request goes to standard
            error unless --quiet; the listening address is printed there on start.
            """,
        examples: ["newsrec serve --db mind.sqlite --model runs/fastformer --port 8080",
                   "newsrec serve --db mind.sqlite --model runs/fastformer --host 0.0.0.0 --token-file token.txt"])

    static let host = Option("--host", .string("ADDRESS"), default: "127.0.0.1",
                             help: "the address to listen on (numeric IPv4/IPv6 or localhost); another than "
                                + "loopback needs --token-file")
    static let port = Option("--port", ValueParser<UInt16>.integer, default: 8080,
                             help: "the TCP port (0: any free port, printed on start)")
    static let threads = ThreadOptions.threads.withDefault(
        HTTPServer.defaultThreads, description: "max(2, cores)",
        help: "server threads that run requests (each serves many connections); also the threads encoding new "
            + "titles")
    static let tokenFile = Option.optional(
        "--token-file", .path("FILE"), help: "a file holding the bearer token the write routes require")
    static let maxBody = Option("--max-body", .integer, default: ServiceConfiguration.defaultMaxBodyBytes,
                                rule: .atLeast(1), help: "the largest request body in bytes (413 beyond)")
    static let quiet = Option.flag("--quiet", help: "no access log on standard error")

    static var options: [any OptionDeclaration] {
        [StoreOptions.database, NRMSOptions.model, host, port, threads, tokenFile, maxBody, quiet]
    }

    /// How long requests in flight may run after SIGTERM/SIGINT before the service exits anyway.
    static let drainTimeout: Duration = .seconds(5)

    var database: String
    var model: String
    var tokenFile: String?
    var configuration: ServiceConfiguration

    init(options: ParsedOptions) {
        database = options[StoreOptions.database]
        model = options[NRMSOptions.model]
        tokenFile = options[Self.tokenFile]
        configuration = ServiceConfiguration(
            host: options[Self.host], port: options[Self.port], threads: options[Self.threads],
            maxBodyBytes: options[Self.maxBody], accessLog: options[Self.quiet] ? nil : AccessLog.standardError)
    }

    func run(context: CommandContext) throws {
        var configuration = configuration
        do {
            if let tokenFile { configuration.token = try ServiceConfiguration.token(fromFile: tokenFile) }
            try configuration.validate()
        } catch {
            throw UsageError(error.description)
        }
        try requireStore(database)
        let store = try NewsStore(path: database, create: false, busyTimeout: 30)
        let ranker = try Ranker(store: store, checkpoint: URL(fileURLWithPath: model), threads: configuration.threads)
        let vectors = try ranker.preloadNewsVectors()
        let service = try Service(ranker: ranker, configuration: configuration)
        let port = try service.start()
        let signals = ShutdownSignals.install { signal in
            context.log("newsrec serve: signal \(signal): stopping (requests in flight may finish)")
            service.stop(timeout: Self.drainTimeout)
        }
        defer { signals.cancel() }
        let address = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        context.log("newsrec serve: listening on http://\(address):\(port) (model \(ranker.model.id), "
                    + "\(vectors) cached news vectors in memory, \(configuration.threads) threads)")
        let outcome = service.waitUntilStopped()
        store.closeIdleConnections()
        context.log("newsrec serve: stopped (\(outcome)); store closed")
        if case .timedOut = outcome { throw ServeError(outcome: outcome) }
    }
}

/// The service stopped with requests still running after the drain timeout.
struct ServeError: Error, CustomStringConvertible {
    var outcome: StopOutcome
    var description: String { "requests did not finish in time: \(outcome)" }
}
