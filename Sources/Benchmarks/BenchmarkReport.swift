import Foundation

/// What a benchmark returns: figures that print as text for people and as JSON for tools.
public protocol BenchmarkReport: Encodable {
    /// The figures as aligned text (or a Markdown table).
    var text: String { get }
    /// How `json()` lays the JSON out.
    static var jsonFormatting: JSONEncoder.OutputFormatting { get }
}

extension BenchmarkReport {
    /// The figures as JSON text laid out with `jsonFormatting`.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = Self.jsonFormatting
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
