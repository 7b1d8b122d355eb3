/// Formatting rules of the Prometheus text exposition format, version 0.0.4.
enum PrometheusText {
    /// Whether `name` is a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    static func isValidMetricName(_ name: String) -> Bool {
        isValidName(name, allowColon: true)
    }

    /// Whether `name` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`, not `le`).
    static func isValidLabelName(_ name: String) -> Bool {
        isValidName(name, allowColon: false) && !name.hasPrefix("__") && name != "le"
    }

    private static func isValidName(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == UInt8(ascii: "_")
                || (allowColon && byte == UInt8(ascii: ":"))
        }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    /// A sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`, otherwise Swift's shortest form.
    static func value(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `# HELP` text: backslash and newline escaped.
    static func help(_ text: String) -> String {
        text.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }

    /// A label value: backslash, double quote and newline escaped.
    static func labelValue(_ text: String) -> String {
        help(text).replacingAll("\"", with: "\\\"")
    }

    /// `{a="x",b="y"}` (empty string when there are no labels); `extra` is appended last (used for `le`).
    static func labels(_ names: [String], _ values: [String], extra: (String, String)? = nil) -> String {
        var pairs = zip(names, values).map { "\($0)=\"\(labelValue($1))\"" }
        if let extra { pairs.append("\(extra.0)=\"\(labelValue(extra.1))\"") }
        return pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
    }

    /// The `# HELP` and `# TYPE` lines of a family.
    static func header(name: String, help text: String, type: String) -> String {
        "# HELP \(name) \(help(text))\n# TYPE \(name) \(type)\n"
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var output = ""
        output.reserveCapacity(utf8.count + 8)
        for character in self {
            if character == target { output += replacement } else { output.append(character) }
        }
        return output
    }
}
