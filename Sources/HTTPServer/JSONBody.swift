import Foundation

extension HTTPRequest {
    /// Decodes the body as JSON into `T`.
    ///
    /// Every failure is an `HTTPError` 400 whose message says what is wrong and, when it is about a field, names it
    /// with its path (`items[2].id`), so clients can fix their request without reading server logs.
    public func decodeJSON<T: Decodable>(_ type: T.Type = T.self,
                                         decoder: JSONDecoder = JSONDecoder()) throws(HTTPError) -> T {
        guard !body.isEmpty else { throw .badRequest("request body is empty; expected JSON") }
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw .badRequest(JSONBodyErrors.message(for: error, body: body))
        } catch {
            throw .badRequest("request body is not valid JSON")
        }
    }
}

/// Readable messages for `DecodingError`, naming the offending field.
public enum JSONBodyErrors {
    /// A one-line message for a client, e.g. `field 'limit' must be an integer`. Pass the `body` that failed to
    /// get a precise message for errors Foundation reports without a field (see `bodyLevelMessage`).
    public static func message(for error: DecodingError, body: [UInt8]? = nil) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(fieldPath(context.codingPath + [key]))'"
        case .valueNotFound(let type, let context) where !context.codingPath.isEmpty:
            return "field '\(fieldPath(context.codingPath))' must be \(TypeDescription.article(for: type)), got null"
        case .valueNotFound(let type, _):
            return "request body must be \(TypeDescription.article(for: type)), got null"
        case .typeMismatch(let type, let context) where !context.codingPath.isEmpty:
            return "field '\(fieldPath(context.codingPath))' must be \(TypeDescription.article(for: type))"
        case .typeMismatch(let type, _):
            return "request body must be \(TypeDescription.article(for: type))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return bodyLevelMessage(body)
        case .dataCorrupted(let context):
            return "field '\(fieldPath(context.codingPath))' is invalid: \(context.debugDescription)"
        @unknown default:
            return "request body does not match the expected JSON"
        }
    }

    /// `items[2].id` for the coding path items → 2 → id.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    /// Foundation on Linux reports both malformed JSON and a number that does not fit its Swift type (`1.5` or
    /// `1e30` for an `Int`) as `dataCorrupted` with an empty coding path and no underlying error. Re-parsing with
    /// `JSONSerialization` tells the two apart and, for malformed JSON, yields the position of the problem.
    private static func bodyLevelMessage(_ body: [UInt8]?) -> String {
        guard let body else { return "request body is not valid JSON" }
        do {
            _ = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
            return "request body has a number that does not fit its field (a fraction or an out-of-range value "
                + "for an integer field)"
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            return "request body is not valid JSON" + (detail.map { ": " + $0 } ?? "")
        }
    }
}
