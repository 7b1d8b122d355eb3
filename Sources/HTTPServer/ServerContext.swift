import CMicroHTTPD
import Synchronization

/// Receives a handler error that is not an `HTTPError` (answered 500 without details), with the request it
/// happened on, so the service can log it.
public typealias ErrorLogSink = @Sendable (any Error, HTTPRequest) -> Void

/// Everything the libmicrohttpd callbacks need, reached through their `cls` pointer.
///
/// One context per started daemon; the daemon holds it retained (see `HTTPServer`) until `MHD_stop_daemon` has
/// returned, so no callback can outlive it.
final class ServerContext: Sendable {
    let router: Router
    let metrics: ServerMetrics
    let accessLog: AccessLogSink?
    let errorLog: ErrorLogSink?
    let maxBodyBytes: Int
    /// Once set, new requests are answered 503 and responses close their connection.
    let draining = Atomic<Bool>(false)
    /// Requests between their first handler call and their completed callback.
    let inFlight = Atomic<Int>(0)

    /// Over-limit bodies without `Content-Length` are read and dropped so that a 413 can be answered; a client that
    /// keeps sending past this many bytes is disconnected instead.
    var discardLimit: Int {
        let extra = max(maxBodyBytes, 1 << 20)
        return maxBodyBytes > Int.max - extra ? Int.max : maxBodyBytes + extra
    }

    init(router: Router, metrics: ServerMetrics, accessLog: AccessLogSink?, errorLog: ErrorLogSink?,
         maxBodyBytes: Int) {
        self.router = router
        self.metrics = metrics
        self.accessLog = accessLog
        self.errorLog = errorLog
        self.maxBodyBytes = maxBodyBytes
    }

    /// First call for a request (headers parsed). Answers right away only to refuse it (draining, or a declared
    /// body over the limit) — libmicrohttpd then closes the connection, which is what a refusal wants. Everything
    /// else is answered on a later call, which keeps the connection alive.
    func begin(_ state: RequestState, connection: OpaquePointer) -> MHD_Result {
        inFlight.add(1, ordering: .sequentiallyConsistent)
        metrics.inFlight.increment()
        if draining.load(ordering: .sequentiallyConsistent) {
            return queue(.error(.serviceUnavailable, "server is shutting down"), label: routeLabel(for: state),
                         state: state, connection: connection)
        }
        if let declared = MHD_lookup_connection_value(connection, MHD_ValueKind.HEADER_KIND, "Content-Length"),
           let length = Int(String(cString: declared)) {
            if length > maxBodyBytes {
                return queue(tooLargeResponse, label: routeLabel(for: state), state: state, connection: connection)
            }
            state.body.reserveCapacity(length)
        }
        return MHD_Result.YES
    }

    /// A chunk of body: kept while the total stays within the limit, counted and dropped after.
    func receive(_ state: RequestState, chunk: UnsafeRawBufferPointer) -> MHD_Result {
        state.receivedBytes += chunk.count
        if !state.tooLarge && state.receivedBytes > maxBodyBytes {
            state.tooLarge = true
            state.body = []
        }
        if state.tooLarge {
            return state.receivedBytes > discardLimit ? MHD_Result.NO : MHD_Result.YES
        }
        state.body.append(contentsOf: chunk)
        return MHD_Result.YES
    }

    /// The request is complete: route it and queue the answer.
    func finish(_ state: RequestState, connection: OpaquePointer) -> MHD_Result {
        if state.tooLarge {
            return queue(tooLargeResponse, label: routeLabel(for: state), state: state, connection: connection)
        }
        let request = HTTPRequest(method: state.method, path: state.path,
                                  query: ConnectionValues.query(of: connection),
                                  headers: ConnectionValues.headers(of: connection),
                                  body: state.body, remoteAddress: ConnectionValues.remoteAddress(of: connection))
        let outcome = router.dispatch(request)
        if let error = outcome.unexpectedError, let errorLog { errorLog(error, request) }
        return queue(outcome.response, label: outcome.routeLabel, state: state, connection: connection,
                     remote: request.remoteAddress)
    }

    /// The request is over (answered and sent, or aborted): it no longer counts as in flight.
    func completed(_ state: RequestState) {
        metrics.inFlight.decrement()
        inFlight.subtract(1, ordering: .sequentiallyConsistent)
    }

    private var tooLargeResponse: HTTPResponse {
        .error(.payloadTooLarge, "request body exceeds the limit of \(maxBodyBytes) bytes")
    }

    /// The route pattern a request would reach, for labelling answers given before dispatch.
    private func routeLabel(for state: RequestState) -> String {
        router.routeLabel(for: state.path)
    }

    private func queue(_ response: HTTPResponse, label: String, state: RequestState, connection: OpaquePointer,
                       remote: String? = nil) -> MHD_Result {
        var response = response
        if draining.load(ordering: .sequentiallyConsistent) { response.headers.set("Connection", "close") }
        let result = MHDResponse.queue(response, on: connection)
        let seconds = state.elapsedSeconds
        let method = state.method.metricLabel
        metrics.requests.increment(labels: [method, label, String(response.status.code)])
        metrics.duration.observe(seconds, labels: [method, label])
        if let accessLog {
            let remote = remote ?? ConnectionValues.remoteAddress(of: connection) ?? "-"
            accessLog(AccessLogEntry(time: UTCTimestamp.now(), method: state.method.rawValue, path: state.path,
                                     status: response.status.code,
                                     bytes: state.method == .head ? 0 : response.body.count,
                                     durationMs: seconds * 1000, remote: remote))
        }
        return result
    }
}
