import CMicroHTTPD
import Dispatch
import Foundation
import Glibc
import Synchronization

/// How `HTTPServer.stop(timeout:)` ended.
public enum StopOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Every in-flight request finished and the daemon stopped.
    case drained
    /// `abandoned` requests were still running at the deadline; their connections are being closed in the
    /// background (the daemon's threads are joined once their handlers return).
    case timedOut(abandoned: Int)
    /// The server was not running.
    case notRunning

    public var description: String {
        switch self {
        case .drained: "drained"
        case .timedOut(let abandoned): "timed out with \(abandoned) request(s) in flight"
        case .notRunning: "not running"
        }
    }
}

/// An HTTP/1.1 server on libmicrohttpd: a pool of threads, each an epoll loop over many connections, calling the
/// router's handlers with complete requests.
///
/// - Keep-alive: answers are queued on a later call than the first, so libmicrohttpd keeps the connection open.
/// - Bodies are collected per request up to `maxBodyBytes`; a larger declared body is refused with 413 before it is
///   read, an undeclared (chunked) one once it passes the limit, without buffering beyond it.
/// - `connectionTimeout` closes connections idle that long, so a stalled client holds nothing for ever; a slow
///   client never delays others, since no thread waits on one connection.
/// - `stop(timeout:)` refuses new connections at once, lets requests in flight finish, then stops.
/// - Every answer is counted in `metrics` (`http_requests_total`, `http_request_duration_seconds`,
///   `http_requests_in_flight`) and, when `accessLog` is set, logged as one JSON line.
public final class HTTPServer: Sendable {
    /// The routes served.
    public let router: Router
    /// Where the server's metrics live; register the service's own metrics here too.
    public let metrics: MetricsRegistry
    private let accessLog: AccessLogSink?
    private let errorLog: ErrorLogSink?
    private let lifecycle = Mutex<Lifecycle>(.idle)
    /// Entered by `start`, left once `stop` has decided its outcome.
    private let runs = DispatchGroup()
    private let lastOutcome = Mutex<StopOutcome>(.notRunning)

    /// The invariant that makes this `Sendable`: `daemon` is used only by `stop`, exactly once (the lifecycle moves
    /// out of `.running` under the lock first), and libmicrohttpd's quiesce/stop may be called from any thread.
    private struct Running: @unchecked Sendable {
        let daemon: OpaquePointer
        let context: Unmanaged<ServerContext>
        let listenFD: Int32
        let port: UInt16
    }

    private enum Lifecycle {
        case idle
        case running(Running)
        case stopping
    }

    /// A server for `router`, recording into `metrics`, logging each answer to `accessLog` and each unexpected
    /// handler error to `errorLog`. Nothing listens until `start`.
    public init(router: Router, metrics: MetricsRegistry = MetricsRegistry(), accessLog: AccessLogSink? = nil,
                errorLog: ErrorLogSink? = nil) {
        self.router = router
        self.metrics = metrics
        self.accessLog = accessLog
        self.errorLog = errorLog
    }

    /// The default pool size: one thread per core, at least two, so one slow handler leaves a thread free.
    public static var defaultThreads: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }

    /// Starts listening on `host:port` (`port` 0 picks a free port) and returns the bound port.
    ///
    /// - Parameters:
    ///   - host: a numeric IPv4/IPv6 address (`127.0.0.1`, `::1`, `0.0.0.0`, `::`) or `localhost`.
    ///   - threads: libmicrohttpd pool threads; handlers run on them.
    ///   - maxBodyBytes: the largest request body accepted (413 beyond).
    ///   - connectionTimeout: idle time after which a connection is closed; rounded up to whole seconds.
    ///   - connectionLimit: the most simultaneous connections; more are refused at accept.
    /// - Throws: `HTTPServerError` — invalid address, address in use, already running, bad arguments.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: UInt16 = 0, threads: Int = HTTPServer.defaultThreads,
                      maxBodyBytes: Int = 1 << 20, connectionTimeout: Duration = .seconds(30),
                      connectionLimit: Int = 1000) throws(HTTPServerError) -> UInt16 {
        let timeoutSeconds = try Self.validate(threads: threads, maxBodyBytes: maxBodyBytes,
                                               connectionTimeout: connectionTimeout, connectionLimit: connectionLimit)
        let address = try SocketAddress(host: host, port: port)
        return try lifecycle.withLock { state throws(HTTPServerError) -> UInt16 in
            guard case .idle = state else { throw .alreadyRunning }
            let fd = try ListeningSocket.open(address, backlog: 1024)
            let context = Unmanaged.passRetained(
                ServerContext(router: router, metrics: ServerMetrics(registry: metrics), accessLog: accessLog,
                              errorLog: errorLog, maxBodyBytes: maxBodyBytes))
            let settings = Daemon.Settings(listenFD: fd, threads: threads, connectionTimeoutSeconds: timeoutSeconds,
                                           connectionLimit: connectionLimit)
            guard let daemon = Daemon.start(settings, context: context.toOpaque()) else {
                // libmicrohttpd owns the listening socket from here on and closes it on this failure path.
                context.release()
                throw .daemonStartFailed("MHD_start_daemon returned NULL for \(HTTPServerError.endpoint(address.host, port))")
            }
            let bound = newsrec_mhd_bind_port(daemon)
            state = .running(Running(daemon: daemon, context: context, listenFD: fd, port: bound))
            runs.enter()
            return bound
        }
    }

    private static func validate(threads: Int, maxBodyBytes: Int, connectionTimeout: Duration,
                                 connectionLimit: Int) throws(HTTPServerError) -> Int {
        guard (1...1024).contains(threads) else { throw .invalidConfiguration("threads must be 1...1024, got \(threads)") }
        guard maxBodyBytes >= 0 else { throw .invalidConfiguration("maxBodyBytes must be ≥ 0, got \(maxBodyBytes)") }
        guard connectionLimit >= 1 else {
            throw .invalidConfiguration("connectionLimit must be ≥ 1, got \(connectionLimit)")
        }
        let (seconds, attoseconds) = connectionTimeout.components
        guard seconds >= 0, connectionTimeout > .zero else {
            throw .invalidConfiguration("connectionTimeout must be positive, got \(connectionTimeout)")
        }
        return Int(min(seconds, Int64(UInt32.max / 2))) + (attoseconds > 0 ? 1 : 0)
    }

    /// The port the server listens on, or nil when it is not running.
    public var port: UInt16? {
        lifecycle.withLock { state in
            if case .running(let running) = state { return running.port }
            return nil
        }
    }

    /// Whether the server is running (started and not yet stopping).
    public var isRunning: Bool { port != nil }

    /// Requests whose handling has started and whose response is not fully sent yet.
    public var requestsInFlight: Int {
        lifecycle.withLock { state in
            if case .running(let running) = state {
                return running.context.takeUnretainedValue().inFlight.load(ordering: .relaxed)
            }
            return 0
        }
    }

    /// Stops gracefully within `timeout`: new connections are refused at once (the listening socket stops
    /// listening), requests already started run to completion and get their answer (with `Connection: close`),
    /// requests arriving on open keep-alive connections get 503, then the daemon stops.
    ///
    /// Requests still running at the deadline are abandoned: the call returns `.timedOut` and the daemon is stopped
    /// on a background thread once their handlers return. Returns `.notRunning` when the server is not running or
    /// another `stop` is already under way.
    @discardableResult
    public func stop(timeout: Duration = .seconds(10)) -> StopOutcome {
        let taken: Running? = lifecycle.withLock { state in
            guard case .running(let running) = state else { return nil }
            state = .stopping
            return running
        }
        guard let running = taken else { return .notRunning }
        let deadline = ContinuousClock.now + timeout
        let context = running.context.takeUnretainedValue()
        context.draining.store(true, ordering: .sequentiallyConsistent)
        let quiesced = MHD_quiesce_daemon(running.daemon)
        if quiesced >= 0 { shutdown(quiesced, Int32(SHUT_RDWR)) }
        while context.inFlight.load(ordering: .sequentiallyConsistent) > 0 && ContinuousClock.now < deadline {
            usleep(1000)
        }
        let abandoned = context.inFlight.load(ordering: .sequentiallyConsistent)
        let finish: @Sendable () -> Void = { [self] in
            MHD_stop_daemon(running.daemon)
            if quiesced >= 0 { close(quiesced) }
            running.context.release()
            lifecycle.withLock { $0 = .idle }
        }
        let outcome: StopOutcome
        if abandoned > 0 {
            Thread.detachNewThread(finish)
            outcome = .timedOut(abandoned: abandoned)
        } else {
            finish()
            outcome = .drained
        }
        lastOutcome.withLock { $0 = outcome }
        runs.leave()
        return outcome
    }

    /// Blocks the calling thread until a `stop` has decided how the run ended, and returns that outcome
    /// (`.notRunning` when the server was never started). Meant for a command's main thread while a signal handler
    /// calls `stop`: the main thread then owns the exit status, so the process cannot exit before `stop` has finished.
    @discardableResult
    public func waitUntilStopped() -> StopOutcome {
        runs.wait()
        return lastOutcome.withLock { $0 }
    }

    /// A server dropped while running stops at once, without draining (there is no one left to wait for it).
    deinit {
        if case .running(let running) = lifecycle.withLock({ $0 }) {
            MHD_stop_daemon(running.daemon)
            running.context.release()
            runs.leave()
        }
    }
}
