/// Minimal JSON string quoting, for the bodies written by hand: the HTTP server's error bodies and access-log lines
/// (where `JSONEncoder` would only add a failure path that cannot happen) and the ranking report on the service's
/// hot path (where `JSONEncoder` costs more than the ranking).
public enum JSONText {
    /// `text` as a JSON string literal, quotes included (RFC 8259 escaping; `/` and non-ASCII left as UTF-8).
    public static func quoted(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + text + "\"" }
        var output = "\""
        output.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
