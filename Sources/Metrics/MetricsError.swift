import Basics

/// Why a metric could not be computed or a leaderboard file could not be read or written.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    /// An impression's labels and scores differ in length.
    case lengthMismatch(labels: Int, scores: Int)
    /// A score is NaN (it cannot be ranked).
    case notANumber(candidate: Int)
    /// A line of a leaderboard file (`ImpressionID [v1,v2,...]`) is malformed.
    case malformedLine(file: String, line: Int, expected: String)
    /// The prediction and truth files disagree at the same line (they are walked in lockstep).
    case inconsistentImpression(file: String, line: Int, expected: String)
    /// A file could not be opened, written or renamed.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .lengthMismatch(labels, scores):
            return "an impression has \(labels) labels but \(scores) scores; expected one score per candidate"
        case let .notANumber(candidate):
            return "score of candidate \(candidate) is NaN; expected a number"
        case let .malformedLine(file, line, expected), let .inconsistentImpression(file, line, expected):
            return "\(file):\(line): expected \(expected)"
        case let .io(file, reason):
            return "\(file): \(reason)"
        }
    }
}

extension MetricsError {
    /// Runs `body`, turning a `FileError` into `MetricsError.io` (the module's error for unreadable files).
    static func mappingFileErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileError {
            throw MetricsError.io(file: error.path, reason: error.line.map { "line \($0): " + error.reason } ?? error.reason)
        }
    }
}
