/// A request handler: takes a complete request, returns a response or throws.
///
/// Throw `HTTPError` for answers such as 400/404/409; anything else becomes a generic 500. Handlers run on
/// libmicrohttpd's pool threads, so they must be thread-safe and should not block for long (a blocked handler holds
/// its pool thread and the connections that thread serves).
public typealias HTTPHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// Who may call a route when the router has a `requiredToken`.
public enum RouteAccess: Sendable {
    /// Needs `Authorization: Bearer <token>` when the router has a token (the default).
    case protected
    /// Open to everyone (health checks, metrics scraped on a private network).
    case open
}

/// Maps `(method, path pattern)` to handlers and turns every outcome into a response.
///
/// - Unknown path → 404 `{"error": …}`; known path, other method → 405 with `Allow`.
/// - `HEAD` falls back to the `GET` handler when no `HEAD` route is registered (libmicrohttpd drops the body).
/// - `HTTPError` → its status and message; any other error → 500 `internal server error` (details go to the
///   server's error log, never to the client).
/// - With `requiredToken` set, `.protected` routes answer 401 unless the request carries that bearer token.
public struct Router: Sendable {
    struct Route: Sendable {
        let pattern: RoutePattern
        var handlers: [HTTPMethod: (access: RouteAccess, handler: HTTPHandler)]
    }

    private var routes: [Route] = []

    /// When set, every `.protected` route requires `Authorization: Bearer <token>`.
    public var requiredToken: BearerToken?

    /// An empty router; set `requiredToken` to protect routes with a bearer token.
    public init(requiredToken: BearerToken? = nil) { self.requiredToken = requiredToken }

    /// Registers `handler` for `method` on `pattern` (e.g. `/v1/users/{id}/recommendations`).
    ///
    /// Registering the same method twice on patterns that match the same paths is a programming error and stops
    /// the process, as does a malformed pattern.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, access: RouteAccess = .protected,
                             _ handler: @escaping HTTPHandler) {
        let parsed = RoutePattern(pattern)
        if let index = routes.firstIndex(where: { $0.pattern.hasSameShape(as: parsed) }) {
            precondition(routes[index].pattern == parsed,
                         "route '\(pattern)' matches the same paths as '\(routes[index].pattern)'")
            precondition(routes[index].handlers[method] == nil, "route \(method) \(pattern) registered twice")
            routes[index].handlers[method] = (access, handler)
        } else {
            routes.append(Route(pattern: parsed, handlers: [method: (access, handler)]))
        }
    }

    /// Registers a `GET` handler.
    public mutating func get(_ pattern: String, access: RouteAccess = .protected, _ handler: @escaping HTTPHandler) {
        add(.get, pattern, access: access, handler)
    }

    /// Registers a `POST` handler.
    public mutating func post(_ pattern: String, access: RouteAccess = .protected, _ handler: @escaping HTTPHandler) {
        add(.post, pattern, access: access, handler)
    }

    /// Registers a `PUT` handler.
    public mutating func put(_ pattern: String, access: RouteAccess = .protected, _ handler: @escaping HTTPHandler) {
        add(.put, pattern, access: access, handler)
    }

    /// Registers a `DELETE` handler.
    public mutating func delete(_ pattern: String, access: RouteAccess = .protected,
                                _ handler: @escaping HTTPHandler) {
        add(.delete, pattern, access: access, handler)
    }

    /// Registers `GET path` answering the Prometheus exposition of `registry` (open by default: scrapers rarely
    /// carry tokens; bind to loopback or protect it when the metrics are sensitive).
    public mutating func addMetrics(_ registry: MetricsRegistry, path: String = "/metrics", access: RouteAccess = .open) {
        get(path, access: access) { _ in
            .text(registry.exposition(), contentType: MetricsRegistry.contentType)
        }
    }

    /// Answers `request` exactly as the server would (useful to test handlers without sockets).
    public func respond(to request: HTTPRequest) -> HTTPResponse { dispatch(request).response }

    /// The outcome of dispatching one request.
    struct Dispatch {
        var response: HTTPResponse
        /// The matched pattern, or `unmatched` for 404s: a bounded metrics label.
        var routeLabel: String
        /// A non-`HTTPError` thrown by the handler, for the server's error log.
        var unexpectedError: (any Error)?
    }

    /// The label used for requests that matched no route.
    static let unmatchedLabel = "unmatched"

    /// The most specific route matching `path`, with its parameter values.
    private func match(_ path: String) -> (route: Route, values: [String: String])? {
        let segments = RoutePattern.decodedSegments(of: path)
        var best: (route: Route, values: [String: String])?
        for route in routes {
            guard let values = route.pattern.match(segments) else { continue }
            if let current = best, !route.pattern.isMoreSpecific(than: current.route.pattern) { continue }
            best = (route, values)
        }
        return best
    }

    /// The metrics label of the route `path` matches (`unmatched` when none), for answers given before dispatch.
    func routeLabel(for path: String) -> String {
        match(path)?.route.pattern.text ?? Router.unmatchedLabel
    }

    func dispatch(_ request: HTTPRequest) -> Dispatch {
        guard let (route, values) = match(request.path) else {
            return Dispatch(response: .error(.notFound, "no route for \(request.method) \(request.path)"),
                            routeLabel: Router.unmatchedLabel)
        }
        let label = route.pattern.text
        guard let entry = route.handlers[request.method] ?? (request.method == .head ? route.handlers[.get] : nil) else {
            var response = HTTPResponse.error(.methodNotAllowed, "\(request.method) is not allowed on \(label)")
            response.headers.set("Allow", Router.allowHeader(for: route))
            return Dispatch(response: response, routeLabel: label)
        }
        if entry.access == .protected, let token = requiredToken, !token.authorizes(request) {
            return Dispatch(response: BearerToken.challenge.response, routeLabel: label)
        }
        var routed = request
        routed.pathParameters = PathParameters(values)
        routed.route = label
        return Router.run(entry.handler, on: routed, label: label)
    }

    private static func run(_ handler: HTTPHandler, on request: HTTPRequest, label: String) -> Dispatch {
        do {
            return Dispatch(response: try handler(request), routeLabel: label)
        } catch let error as HTTPError {
            return Dispatch(response: error.response, routeLabel: label)
        } catch {
            return Dispatch(response: .error(.internalServerError, "internal server error"), routeLabel: label,
                            unexpectedError: error)
        }
    }

    private static func allowHeader(for route: Route) -> String {
        var methods = Set(route.handlers.keys)
        if methods.contains(.get) { methods.insert(.head) }
        return methods.map(\.rawValue).sorted().joined(separator: ", ")
    }
}
