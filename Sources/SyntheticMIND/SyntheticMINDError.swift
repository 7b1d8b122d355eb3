import Foundation

/// Why a synthetic dataset could not be generated.
public enum SyntheticMINDError: Error, Equatable, CustomStringConvertible {
    /// A configuration value is out of range; the message says which and what is allowed.
    case invalidConfiguration(String)
    /// A file or directory could not be created or written.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(message): return "invalid configuration: \(message)"
        case let .io(file, reason): return "\(file): \(reason)"
        }
    }
}
