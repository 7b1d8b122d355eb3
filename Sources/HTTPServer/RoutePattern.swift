/// A parsed route pattern such as `/v1/users/{id}/recommendations`.
///
/// Segments are separated by `/`; a segment written `{name}` matches any one non-empty segment and binds its
/// percent-decoded value to `name`; any other segment must equal the request's decoded segment exactly.
/// Empty segments are ignored on both sides, so `/a/b/`, `/a//b` and `/a/b` are the same path.
struct RoutePattern: Hashable, Sendable, CustomStringConvertible {
    enum Segment: Hashable, Sendable {
        case literal(String)
        case parameter(String)
    }

    /// The pattern as written at registration (used as the metrics label).
    let text: String
    let segments: [Segment]

    /// Parses `text`; a malformed pattern is a programming error in the service and stops the process at
    /// registration time, long before any request arrives.
    init(_ text: String) {
        precondition(text.hasPrefix("/"), "route pattern '\(text)' must start with '/'")
        var names = Set<String>()
        var segments: [Segment] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: true) {
            if part.hasPrefix("{") && part.hasSuffix("}") {
                let name = String(part.dropFirst().dropLast())
                precondition(!name.isEmpty && !name.contains("{") && !name.contains("}"),
                             "route pattern '\(text)': parameter segment '\(part)' must be '{name}'")
                precondition(names.insert(name).inserted, "route pattern '\(text)' repeats parameter '\(name)'")
                segments.append(.parameter(name))
            } else {
                precondition(!part.contains("{") && !part.contains("}"),
                             "route pattern '\(text)': braces are only allowed around a whole segment")
                segments.append(.literal(String(part)))
            }
        }
        self.text = text
        self.segments = segments
    }

    var description: String { text }

    /// The parameters bound when `path` (decoded segments) matches, or nil.
    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var values: [String: String] = [:]
        for (segment, actual) in zip(segments, path) {
            switch segment {
            case .literal(let expected):
                guard expected == actual else { return nil }
            case .parameter(let name):
                values[name] = actual
            }
        }
        return values
    }

    /// Whether this pattern should win over `other` when both match a path: at the first position where one has a
    /// literal and the other a parameter, the literal wins (`/news/stats` beats `/news/{id}`).
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }

    /// Whether the two patterns match exactly the same paths (same shape, parameter names aside).
    func hasSameShape(as other: RoutePattern) -> Bool {
        guard segments.count == other.segments.count else { return false }
        return zip(segments, other.segments).allSatisfy { pair in
            switch pair {
            case (.literal(let a), .literal(let b)): a == b
            case (.parameter, .parameter): true
            default: false
            }
        }
    }

    /// Splits a raw request path into percent-decoded segments, dropping empty ones.
    static func decodedSegments(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { PercentDecoding.decode($0) }
    }
}
