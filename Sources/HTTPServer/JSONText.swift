/// Minimal JSON string quoting, for the few bodies the server writes by hand (error bodies) where going through
/// `JSONEncoder` would only add a failure path that cannot happen.
public enum JSONText {
    /// `text` as a JSON string literal, quotes included (RFC 8259 escaping; non-ASCII left as UTF-8).
    public static func quoted(_ text: String) -> String {
        var output = "\""
        output.reserveCapacity(text.utf8.count + 2)
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
