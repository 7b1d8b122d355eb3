/// An HTTP response status code.
///
/// Integer literals convert, so `HTTPResponse(status: 204)` and `HTTPResponse(status: .noContent)` are the same;
/// the reason phrase on the wire is chosen by libmicrohttpd from the code.
public struct HTTPStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The three-digit status code.
    public let code: Int

    /// Wraps a status code; codes outside 100...999 are rejected by libmicrohttpd, and the server then answers 500.
    public init(_ code: Int) { self.code = code }
    /// Wraps a status code (`RawRepresentable`).
    public init(rawValue: Int) { self.code = rawValue }
    /// Wraps a status code written as a literal, e.g. `404`.
    public init(integerLiteral value: Int) { self.code = value }

    /// The status code (`RawRepresentable`).
    public var rawValue: Int { code }

    /// `"404 Not Found"`: the code and its standard reason phrase (or just the code when the phrase is unknown).
    public var description: String {
        guard let phrase = HTTPStatus.phrases[code] else { return String(code) }
        return "\(code) \(phrase)"
    }

    /// Whether the code is a client or server error (400 and above).
    public var isError: Bool { code >= 400 }

    /// 200 OK.
    public static let ok: HTTPStatus = 200
    /// 201 Created.
    public static let created: HTTPStatus = 201
    /// 202 Accepted.
    public static let accepted: HTTPStatus = 202
    /// 204 No Content.
    public static let noContent: HTTPStatus = 204
    /// 400 Bad Request.
    public static let badRequest: HTTPStatus = 400
    /// 401 Unauthorized.
    public static let unauthorized: HTTPStatus = 401
    /// 403 Forbidden.
    public static let forbidden: HTTPStatus = 403
    /// 404 Not Found.
    public static let notFound: HTTPStatus = 404
    /// 405 Method Not Allowed.
    public static let methodNotAllowed: HTTPStatus = 405
    /// 409 Conflict.
    public static let conflict: HTTPStatus = 409
    /// 413 Content Too Large.
    public static let payloadTooLarge: HTTPStatus = 413
    /// 415 Unsupported Media Type.
    public static let unsupportedMediaType: HTTPStatus = 415
    /// 422 Unprocessable Content.
    public static let unprocessableContent: HTTPStatus = 422
    /// 429 Too Many Requests.
    public static let tooManyRequests: HTTPStatus = 429
    /// 500 Internal Server Error.
    public static let internalServerError: HTTPStatus = 500
    /// 503 Service Unavailable.
    public static let serviceUnavailable: HTTPStatus = 503

    private static let phrases: [Int: String] = [
        200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
        429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
    ]
}
