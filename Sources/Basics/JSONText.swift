/// JSON string literals written by hand, where going through `JSONEncoder` would cost microseconds per value on a
/// hot path (entity lists at ingest, the service's ranking answers) or add a failure path that cannot happen (error
/// bodies, access-log lines).
public enum JSONText {
    /// Appends `value` as a JSON string literal, quotes included (RFC 8259 escaping; non-ASCII left as UTF-8).
    public static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var text = ""
        text.reserveCapacity(value.utf8.count + 2)
        appendQuoted(value, to: &text)
        return text
    }
}
