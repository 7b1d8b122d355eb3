/// A fast path for decoding the body of `POST /v1/rank`: `JSONDecoder` spends more time on a 100-candidate body
/// than the ranking itself.
///
/// It reads only the plainest form of the body — one JSON object whose keys are among `user`, `candidates`, `top`,
/// each at most once; strings of printable ASCII without escapes; `top` a plain integer or null; `candidates` an
/// array of such strings or null — and gives up (nil) on anything else, leaving that body to `JSONDecoder`. So
/// every body decodes to what `JSONDecoder` gives, and every error message is `JSONDecoder`'s.
struct RankRequestScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The request of `body`, or nil when the body is not in the plain form (it may still be valid JSON).
    static func decode(_ body: [UInt8]) -> RankRequest? {
        body.withUnsafeBufferPointer { buffer in
            var scanner = RankRequestScanner(buffer)
            return scanner.object()
        }
    }

    private mutating func object() -> RankRequest? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var user: String?, candidates: [String]??, top: Int??
        if !consume(UInt8(ascii: "}")) {
            repeat {
                guard let key = string(), consume(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "user" where user == nil:
                    user = string()
                    if user == nil { return nil }
                case "candidates" where candidates == nil:
                    candidates = null() ? .some(nil) : stringArray().map { .some($0) }
                    if candidates == nil { return nil }
                case "top" where top == nil:
                    top = null() ? .some(nil) : integer().map { .some($0) }
                    if top == nil { return nil }
                default:
                    return nil
                }
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else { return nil }
        }
        skipWhitespace()
        guard index == bytes.count, let user else { return nil }
        return RankRequest(user: user, candidates: candidates ?? nil, top: top ?? nil)
    }

    private mutating func stringArray() -> [String]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var values: [String] = []
        if consume(UInt8(ascii: "]")) { return values }
        repeat {
            guard let value = string() else { return nil }
            values.append(value)
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? values : nil
    }

    /// A string of bytes 0x20...0x7E without `"` or `\` inside.
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard (0x20 ... 0x7E).contains(bytes[index]), bytes[index] != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< index]), as: UTF8.self)
        index += 1
        return text
    }

    /// `0` or `-?[1-9][0-9]*`, at most 18 digits (no fraction, no exponent).
    private mutating func integer() -> Int? {
        skipWhitespace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        let start = index
        var value = 0
        while index < bytes.count, (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(bytes[index]) {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits <= 18, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            return nil
        }
        return negative ? -value : value
    }

    private mutating func null() -> Bool {
        skipWhitespace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
              bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") else { return false }
        index += 4
        return true
    }

    /// Skips whitespace, then takes `byte` if it comes next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }
}
