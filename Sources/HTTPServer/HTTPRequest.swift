import Foundation

/// A complete HTTP request as a handler sees it: the body has been received in full (within the server's limit).
///
/// Public memberwise construction lets handlers be unit-tested without a server.
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The request path as sent, still percent-encoded, without the query string (e.g. `/v1/users/U1/recommendations`).
    public var path: String
    /// The decoded query parameters.
    public var query: QueryParameters
    /// The request headers (case-insensitive lookup).
    public var headers: HTTPHeaders
    /// The request body bytes (empty when there is none).
    public var body: [UInt8]
    /// The peer's IP address (`127.0.0.1`, `::1`), or nil when unknown (e.g. a request built in a test).
    public var remoteAddress: String?
    /// The values of the `{name}` segments of the matched route, set by the router before the handler runs.
    public internal(set) var pathParameters: PathParameters
    /// The pattern of the matched route (e.g. `/v1/users/{id}`), set by the router before the handler runs.
    public internal(set) var route: String?

    /// Creates a request; the router fills `pathParameters` and `route` when it dispatches it.
    public init(method: HTTPMethod, path: String, query: QueryParameters = QueryParameters(),
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], remoteAddress: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.pathParameters = PathParameters()
        self.route = nil
    }

    /// The body as `Data`.
    public var bodyData: Data { Data(body) }

    /// The body as UTF-8 text (invalid sequences become U+FFFD).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
