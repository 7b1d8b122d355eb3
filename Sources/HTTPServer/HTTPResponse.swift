import Basics
import Foundation

/// A complete HTTP response: status, headers and body bytes.
///
/// `Content-Length` and `Date` are added by libmicrohttpd; a `Content-Length` header set here is ignored.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: HTTPStatus
    /// The response headers.
    public var headers: HTTPHeaders
    /// The body bytes (not sent for HEAD requests, though `Content-Length` still reflects them).
    public var body: [UInt8]

    /// A response with the given parts.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The media type of JSON bodies produced here.
    public static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON response encoding `value`. The default encoder leaves `/` unescaped; pass one to choose dates, key
    /// strategies or sorted keys.
    /// - Throws: `EncodingError` (e.g. a non-finite Float), which the router answers with a generic 500.
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok,
                                          encoder: JSONEncoder? = nil) throws -> HTTPResponse {
        let encoder = encoder ?? {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return encoder
        }()
        let data = try encoder.encode(value)
        return HTTPResponse(status: status, headers: ["Content-Type": jsonContentType], body: [UInt8](data))
    }

    /// A JSON response from Foundation property-list objects (`[String: Any]`, `[Any]`, strings, numbers, `NSNull`),
    /// with sorted keys so output is stable.
    /// - Throws: `JSONObjectError` when `object` holds something JSON cannot represent (answered 500).
    public static func json(object: Any, status: HTTPStatus = .ok) throws -> HTTPResponse {
        guard JSONSerialization.isValidJSONObject(object) else { throw JSONObjectError(type: "\(type(of: object))") }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return HTTPResponse(status: status, headers: ["Content-Type": jsonContentType], body: [UInt8](data))
    }

    /// A text response, UTF-8 encoded.
    public static func text(_ text: String, status: HTTPStatus = .ok,
                            contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// The error shape of every failure this server produces: `{"error": "message"}` with `status`.
    public static func error(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
        let body = "{\"error\":" + JSONText.quoted(message) + "}"
        return HTTPResponse(status: status, headers: ["Content-Type": jsonContentType], body: Array(body.utf8))
    }

    /// 204 with no body.
    public static let noContent = HTTPResponse(status: .noContent)
}

/// `HTTPResponse.json(object:)` was given something that is not a valid JSON object graph.
public struct JSONObjectError: Error, Sendable, CustomStringConvertible {
    /// The Swift type of the rejected top-level value.
    public var type: String
    public var description: String {
        "cannot encode a \(type) as JSON: expected [String: Any] or [Any] of strings, numbers, booleans, NSNull"
    }
}
