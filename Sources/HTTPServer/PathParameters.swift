/// The values of the `{name}` segments of the route pattern a request matched, percent-decoded.
public struct PathParameters: Sendable, Equatable {
    /// Name → decoded value.
    public let values: [String: String]

    /// Wraps decoded values.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The value of `name`, or nil when the pattern has no such parameter.
    public subscript(name: String) -> String? { values[name] }

    /// The value of `name` converted to `T`.
    /// - Throws: `HTTPError` 400 naming the parameter when the value does not convert; `RouteParameterError` (a 500,
    ///   a bug in the service) when the matched pattern has no parameter `name`.
    public func value<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T {
        guard let text = values[name] else { throw RouteParameterError(name: name, known: values.keys.sorted()) }
        guard let value = T(text) else {
            throw HTTPError.badRequest("path parameter '\(name)' must be \(TypeDescription.article(for: T.self)), got '\(text)'")
        }
        return value
    }
}

/// A handler asked for a path parameter its route pattern does not declare: a programming error, answered 500.
public struct RouteParameterError: Error, Sendable, CustomStringConvertible {
    /// The name asked for.
    public var name: String
    /// The parameters the pattern declares.
    public var known: [String]

    public var description: String {
        "route has no path parameter '\(name)' (it has: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
    }
}
