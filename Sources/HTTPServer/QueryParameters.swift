/// The query string of a request, decoded: `+` is a space and `%XX` escapes are resolved.
///
/// Parameters keep their order and repeats (`?tag=a&tag=b`); a name without `=` has the empty value.
public struct QueryParameters: Sendable, Sequence {
    /// One decoded `name=value` pair.
    public typealias Item = (name: String, value: String)

    /// Every parameter in order.
    public let items: [Item]

    /// Wraps decoded parameters.
    public init(_ items: [Item] = []) { self.items = items }

    /// The first value of `name`, or nil when absent.
    public subscript(name: String) -> String? { items.first { $0.name == name }?.value }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] { items.filter { $0.name == name }.map(\.value) }

    /// The first value of `name` converted to `T`; nil when absent.
    /// - Throws: `HTTPError` 400 naming the parameter when the value does not convert.
    public func value<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws(HTTPError) -> T? {
        guard let text = self[name] else { return nil }
        guard let value = T(text) else {
            throw .badRequest("query parameter '\(name)' must be \(TypeDescription.article(for: T.self)), got '\(text)'")
        }
        return value
    }

    /// The first value of `name` converted to `T`, or `defaultValue` when absent.
    /// - Throws: `HTTPError` 400 naming the parameter when the value does not convert.
    public func value<T: LosslessStringConvertible>(_ name: String, as type: T.Type,
                                                     default defaultValue: T) throws(HTTPError) -> T {
        try value(name, as: type) ?? defaultValue
    }

    public func makeIterator() -> IndexingIterator<[Item]> { items.makeIterator() }
}
