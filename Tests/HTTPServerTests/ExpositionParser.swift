/// Parses Prometheus text exposition into its parts, strictly enough to catch format mistakes.
struct Exposition {
    /// `name{labels}` exactly as written → value.
    var samples: [String: Double] = [:]
    /// Family name → type from `# TYPE`.
    var types: [String: String] = [:]
    /// Family name → text from `# HELP`.
    var helps: [String: String] = [:]
    /// Sample keys in file order.
    var order: [String] = []

    struct FormatError: Error, CustomStringConvertible {
        var line: String
        var description: String { "not a valid exposition line: \(line)" }
    }

    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw FormatError(line: "(missing final newline)") }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw FormatError(line: String(line)) }
                if line.hasPrefix("# HELP ") { helps[parts[0]] = parts[1] } else { types[parts[0]] = parts[1] }
                continue
            }
            guard let space = line.lastIndex(of: " ") else { throw FormatError(line: String(line)) }
            let key = String(line[..<space])
            let valueText = String(line[line.index(after: space)...])
            guard let value = valueText == "+Inf" ? Double.infinity : Double(valueText),
                  key.first.map({ $0.isLetter || $0 == "_" }) == true else { throw FormatError(line: String(line)) }
            samples[key] = value
            order.append(key)
        }
    }
}
