import Basics
import Foundation

/// The entity columns of news.tsv (columns 7 and 8) as JSON text: a list of objects with the keys `Label`, `Type`,
/// `WikidataId`, `Confidence`, `OccurrenceOffsets` and `SurfaceForms`. The writer is hand-written, without
/// `JSONEncoder` (which costs microseconds per call on a path that runs for every article); the reader is
/// `EntityJSONParser`, the one that reads news.tsv. The store keeps entity lists in this form.
public enum EntityJSON {
    /// The JSON text of `entities` (`[]` when empty), keys in news.tsv's order.
    public static func encode(_ entities: [Entity]) -> String {
        guard !entities.isEmpty else { return "[]" }
        var text = "["
        for (index, entity) in entities.enumerated() {
            if index > 0 { text += ", " }
            text += "{\"Label\": "
            appendString(entity.label, to: &text)
            text += ", \"Type\": "
            appendString(entity.type, to: &text)
            text += ", \"WikidataId\": "
            appendString(entity.wikidataID, to: &text)
            text += ", \"Confidence\": "
            text += number(entity.confidence)
            text += ", \"OccurrenceOffsets\": "
            text += integers(entity.occurrenceOffsets)
            text += ", \"SurfaceForms\": "
            text += strings(entity.surfaceForms)
            text += "}"
        }
        return text + "]"
    }

    /// The entities of JSON text written by `encode` (or read from news.tsv).
    ///
    /// - Throws: `EntityJSONError` with the byte offset and what was expected there.
    public static func decode(_ text: String) throws -> [Entity] {
        if text == "[]" { return [] }
        var text = text
        let parsed = text.withUTF8 { bytes in
            Result { () throws(EntityJSONParser.Failure) in try EntityJSONParser.parse(bytes) }
        }
        switch parsed {
        case let .success(entities): return entities
        case let .failure(failure): throw EntityJSONError(offset: failure.offset, reason: failure.reason)
        }
    }

    /// A JSON list of integers, e.g. `[0, 17]`.
    public static func integers(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ", ") + "]"
    }

    /// A JSON list of strings.
    public static func strings(_ values: [String]) -> String {
        var text = "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += ", " }
            appendString(value, to: &text)
        }
        return text + "]"
    }

    /// A finite double in its shortest round-trip form (JSON has no NaN or infinity; those become null).
    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

    static func appendString(_ value: String, to text: inout String) {
        JSONText.appendQuoted(value, to: &text)
    }
}

/// Entity JSON text that does not parse: the 0-based byte offset and what was wrong there.
public struct EntityJSONError: Error, CustomStringConvertible, Equatable, Sendable {
    public var offset: Int
    public var reason: String
    public var description: String { "entity JSON at byte \(offset): \(reason)" }
}
