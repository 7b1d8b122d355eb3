/// An HTTP request method.
///
/// A struct rather than a closed enum so that any method a client sends (including extension methods such as
/// `PURGE`) can be represented, routed and logged; the common ones have static constants.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The method token exactly as sent (methods are case-sensitive in HTTP).
    public let rawValue: String

    /// Wraps a method token.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a method token written as a literal, e.g. `"GET"`.
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    /// `GET`.
    public static let get: HTTPMethod = "GET"
    /// `HEAD`.
    public static let head: HTTPMethod = "HEAD"
    /// `POST`.
    public static let post: HTTPMethod = "POST"
    /// `PUT`.
    public static let put: HTTPMethod = "PUT"
    /// `PATCH`.
    public static let patch: HTTPMethod = "PATCH"
    /// `DELETE`.
    public static let delete: HTTPMethod = "DELETE"
    /// `OPTIONS`.
    public static let options: HTTPMethod = "OPTIONS"

    /// The methods used as metric labels; any other method is counted as `OTHER`, so that clients cannot create
    /// unbounded label values.
    static let standard: Set<HTTPMethod> = [.get, .head, .post, .put, .patch, .delete, .options]

    /// The label under which requests with this method are counted in metrics.
    var metricLabel: String { HTTPMethod.standard.contains(self) ? rawValue : "OTHER" }
}
