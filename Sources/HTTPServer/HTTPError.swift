/// An error a handler throws to answer with a given status and message.
///
/// The router turns it into `{"error": message}` with `status` (and any extra `headers`, e.g. `WWW-Authenticate`).
/// Any other error thrown by a handler becomes a 500 with a generic message, so internals never reach the client.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status of the response.
    public var status: HTTPStatus
    /// The message sent to the client in the `error` field; write it for the client, it is not sanitised.
    public var message: String
    /// Extra response headers.
    public var headers: [String: String]

    /// An error answered with `status` and `{"error": message}`.
    public init(_ status: HTTPStatus, _ message: String, headers: [String: String] = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "HTTP \(status): \(message)" }

    /// The JSON error response for this error.
    public var response: HTTPResponse {
        var response = HTTPResponse.error(status, message)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { response.headers.set(name, value) }
        return response
    }

    /// 400: the request is malformed (bad JSON, missing or mistyped field or parameter).
    public static func badRequest(_ message: String) -> HTTPError { HTTPError(.badRequest, message) }
    /// 404: the addressed resource does not exist.
    public static func notFound(_ message: String) -> HTTPError { HTTPError(.notFound, message) }
    /// 409: the request conflicts with the current state (e.g. an id already taken).
    public static func conflict(_ message: String) -> HTTPError { HTTPError(.conflict, message) }
    /// 503: the service cannot answer now (e.g. shutting down, model not loaded).
    public static func unavailable(_ message: String) -> HTTPError { HTTPError(.serviceUnavailable, message) }
}
