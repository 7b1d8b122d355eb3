/// The id of a news article as written in MIND files, e.g. `N37378`.
public struct NewsID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: NewsID, rhs: NewsID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The id of a user as written in MIND files, e.g. `U397059`.
public struct UserID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: UserID, rhs: UserID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Which part of a MIND release a file belongs to. Test splits carry no click labels.
public enum Split: String, CaseIterable, Sendable, Codable {
    case train, dev, test
}
