import Foundation
import MIND

/// Writes entity lists as the JSON of news.tsv columns 7 and 8 (keys `Label`, `Type`, `WikidataId`,
/// `Confidence`, `OccurrenceOffsets`, `SurfaceForms`) without going through `JSONEncoder`, which costs
/// microseconds per call on a path that runs for every article.
enum EntityJSON {
    static func encode(_ entities: [Entity]) -> String {
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

    static func integers(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ", ") + "]"
    }

    static func strings(_ values: [String]) -> String {
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
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    static func decode(_ text: String, news: NewsID, column: String) throws -> [Entity] {
        if text == "[]" { return [] }
        do {
            return try JSONDecoder().decode([Entity].self, from: Data(text.utf8))
        } catch {
            throw StoreError.corruptValue(table: "news", key: "\(news) \(column)", expected: "a JSON array of entities")
        }
    }
}
