import Foundation
import HTTPServer
import Ranking

/// The newsrec HTTP service: rankings, clicks and news over one store and one model, on `HTTPServer`.
///
/// ```swift
/// let ranker = try Ranker(store: NewsStore(path: "mind.sqlite", busyTimeout: 30), checkpoint: runDirectory)
/// let service = try Service(ranker: ranker, configuration: ServiceConfiguration(port: 8080))
/// let port = try service.start()
/// let signals = ShutdownSignals.install { _ in service.stop(timeout: .seconds(5)) }
/// let outcome = service.waitUntilStopped()
/// ```
///
/// Routes (JSON in and out; every error is `{"error": "…"}` with a 4xx/5xx status; see docs/ARCHITECTURE.md):
/// `POST /v1/rank`, `GET /v1/users/{id}/recommendations`, `POST /v1/clicks` and `POST /v1/news` (both need the
/// bearer token when one is configured), `GET /v1/model`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
///
/// Thread-safe: handlers run on the server's pool threads and share the ranker (which borrows one pooled store
/// connection per call).
public final class Service: Sendable {
    /// The ranker serving the model from the store.
    public let ranker: Ranker
    /// How the service listens.
    public let configuration: ServiceConfiguration
    /// The server's and the service's metrics (`GET /metrics`).
    public let metrics: MetricsRegistry
    private let server: HTTPServer

    /// A service for `ranker`, not yet listening.
    /// - Throws: `ServiceError.unprotectedBind` for a non-loopback host without a token.
    public init(ranker: Ranker, configuration: ServiceConfiguration,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) })
        throws(ServiceError) {
        try configuration.validate()
        self.ranker = ranker
        self.configuration = configuration
        let registry = MetricsRegistry()
        metrics = registry
        let router = Self.router(ranker: ranker, token: configuration.token, registry: registry, clock: clock)
        server = HTTPServer(router: router, metrics: registry, accessLog: configuration.accessLog,
                            errorLog: configuration.errorLog)
    }

    /// Every route of the service, the write routes guarded by `token` when one is given.
    static func router(ranker: Ranker, token: BearerToken?, registry: MetricsRegistry,
                       clock: @escaping @Sendable () -> Int64) -> Router {
        let metrics = ServiceMetrics(registry: registry)
        var router = Router(requiredToken: token)
        RankingRoutes(ranker: ranker, metrics: metrics, freshPool: FreshPool(ranker: ranker)).register(in: &router)
        ClickRoutes(store: ranker.store, metrics: metrics, clock: clock).register(in: &router)
        NewsRoutes(ranker: ranker, metrics: metrics).register(in: &router)
        StatusRoutes(ranker: ranker).register(in: &router)
        router.addMetrics(registry)
        return router
    }

    /// Starts listening and returns the bound port (the configured one, or a free one for port 0).
    /// - Throws: `ServiceError.server` when the server cannot listen.
    @discardableResult
    public func start() throws(ServiceError) -> UInt16 {
        do {
            return try server.start(host: configuration.host, port: configuration.port,
                                    threads: configuration.threads, maxBodyBytes: configuration.maxBodyBytes,
                                    connectionTimeout: configuration.connectionTimeout)
        } catch {
            throw .server(error)
        }
    }

    /// The port listened on, nil when not running.
    public var port: UInt16? { server.port }

    /// Stops accepting connections, lets requests in flight finish (within `timeout`), then stops.
    @discardableResult
    public func stop(timeout: Duration = .seconds(5)) -> StopOutcome { server.stop(timeout: timeout) }

    /// Blocks until a `stop` has decided how the run ended, and returns that outcome.
    @discardableResult
    public func waitUntilStopped() -> StopOutcome { server.waitUntilStopped() }
}
