import Foundation
import HTTPServer

/// The JSON answers of the service other than rankings: keys sorted (stable output for people and diffs), `/`
/// unescaped, as `RankingReport.jsonData()` writes rankings.
enum ServiceJSON {
    /// `value` as a JSON response with `status`.
    static func response<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try HTTPResponse.json(value, status: status, encoder: encoder)
    }
}
