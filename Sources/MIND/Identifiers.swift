/// The id of a news article as written in MIND files, e.g. `N37378`.
///
/// **Id rule**, enforced by `NewsReader` (column 1) and `BehaviorsReader` (History and Impressions):
/// 1 to 64 ASCII characters from `A-Z a-z 0-9 _ . :`. MIND's ids (`N` + digits) satisfy it.
/// - No `-`: in behaviors.tsv a candidate is written `NewsID-label`, so the first `-` of a candidate always
///   starts its label. A news id containing `-` is rejected everywhere (news.tsv, History, Impressions) instead of
///   being split one way or another; `N3-1-1` is an error, not news `N3-1` with label 1.
/// - No space, tab or other byte: spaces separate the ids of History and Impressions, tabs separate columns.
///
/// `init(rawValue:)` does not check the rule (it is also used for ids from the store); use `isValid(_:)`.
public struct NewsID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: NewsID, rhs: NewsID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The longest id the readers accept, in characters (= UTF-8 bytes, the rule allows ASCII only).
    public static let maximumLength = IDRule.maximumLength
    /// The id rule in words, as used in error messages.
    public static let rule = "1 to 64 characters from A-Z a-z 0-9 _ . : (no '-', which starts a candidate's label)"

    /// Whether `text` satisfies the news id rule.
    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { IDRule.isValid($0, 0..<$0.count, allowsHyphen: false) }
    }
}

/// The id of a user as written in MIND files, e.g. `U397059`.
///
/// **Id rule**, enforced by `BehaviorsReader` (column 2): 1 to 64 ASCII characters from `A-Z a-z 0-9 _ . : -`.
/// MIND's ids (`U` + digits) satisfy it. Unlike news ids, `-` is allowed: a user id never carries a label.
///
/// `init(rawValue:)` does not check the rule (it is also used for ids from the store); use `isValid(_:)`.
public struct UserID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: UserID, rhs: UserID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The longest id the readers accept, in characters (= UTF-8 bytes, the rule allows ASCII only).
    public static let maximumLength = IDRule.maximumLength
    /// The id rule in words, as used in error messages.
    public static let rule = "1 to 64 characters from A-Z a-z 0-9 _ . : -"

    /// Whether `text` satisfies the user id rule.
    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { IDRule.isValid($0, 0..<$0.count, allowsHyphen: true) }
    }
}

/// Which part of a MIND release a file belongs to. Test splits carry no click labels.
public enum Split: String, CaseIterable, Sendable, Codable {
    case train, dev, test
}

/// The byte-level check behind `NewsID.isValid` and `UserID.isValid`, used by the readers on every id.
enum IDRule {
    static let maximumLength = 64

    /// Allowed bytes 0..<64 for news ids: `.` (46), `0-9` (48-57) and `:` (58).
    static let newsLow: UInt64 = (1 << 46) | (((1 << 11) - 1) << 48)
    /// `-` (45), additionally allowed in user ids.
    static let hyphen: UInt64 = 1 << 45
    /// Allowed bytes 64..<128, as bit (byte - 64): `A-Z` (65-90), `_` (95), `a-z` (97-122).
    static let high: UInt64 = (((1 << 26) - 1) << 1) | (1 << 31) | (((1 << 26) - 1) << 33)

    @inline(__always)
    static func allows(_ byte: UInt8, allowsHyphen: Bool) -> Bool {
        if byte < 64 {
            let low = allowsHyphen ? newsLow | hyphen : newsLow
            return (low >> UInt64(byte)) & 1 != 0
        }
        return byte < 128 && (high >> UInt64(byte - 64)) & 1 != 0
    }

    /// Whether the bytes of `range` form a valid id.
    @inline(__always)
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, allowsHyphen: Bool) -> Bool {
        guard !range.isEmpty && range.count <= maximumLength else { return false }
        for index in range where !allows(bytes[index], allowsHyphen: allowsHyphen) { return false }
        return true
    }

    /// Why the bytes of `range` are not a valid id (call only when `isValid` is false), e.g.
    /// `"' ' at character 2 is not allowed"`.
    static func problem(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, allowsHyphen: Bool) -> String {
        if range.isEmpty { return "the id is empty" }
        for index in range where !allows(bytes[index], allowsHyphen: allowsHyphen) {
            return "\(Bytes.describe(bytes[index])) at byte \(index - range.lowerBound + 1) is not allowed"
        }
        return "\(range.count) characters, more than \(maximumLength)"
    }
}
