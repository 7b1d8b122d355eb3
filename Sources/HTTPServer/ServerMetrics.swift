/// The metrics the server records about itself, registered in the server's `MetricsRegistry`.
///
/// Routes are labelled by their pattern (`/v1/users/{id}`) or `unmatched`, and methods outside the standard set
/// by `OTHER`, so label cardinality stays bounded whatever clients send.
struct ServerMetrics: Sendable {
    /// `http_requests_total{method,route,status}`.
    let requests: Counter
    /// `http_request_duration_seconds{method,route}`: headers parsed → response queued.
    let duration: Histogram
    /// `http_requests_in_flight`: requests whose handling started and whose response is not yet fully sent.
    let inFlight: Gauge

    init(registry: MetricsRegistry) {
        requests = registry.counter("http_requests_total", help: "HTTP requests answered, by route pattern and status.",
                                    labels: ["method", "route", "status"])
        duration = registry.histogram("http_request_duration_seconds",
                                      help: "Time from request headers parsed to response queued, in seconds.",
                                      labels: ["method", "route"])
        inFlight = registry.gauge("http_requests_in_flight",
                                  help: "Requests being handled or whose response is still being sent.")
    }
}
