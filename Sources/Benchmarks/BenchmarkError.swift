/// A benchmark that cannot run as asked, or found the system in a state it did not set up.
public enum BenchmarkError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The ranking benchmark builds a fresh store and will not overwrite the file at this path.
    case storeExists(String)
    /// The data has too few of something the benchmark needs (e.g. users with a click history).
    case notEnoughData(String)
    /// A measurement found the cache in a state it did not set up (e.g. a "warm" query missed the cache).
    case invariantBroken(String)
    /// A program the benchmark drives is not installed (e.g. `wrk`), with how to install it.
    case missingTool(name: String, install: String)
    /// A program the benchmark drives failed or printed something it cannot read.
    case toolFailed(name: String, output: String)

    public var description: String {
        switch self {
        case let .storeExists(path):
            return "\(path) exists; the ranking benchmark builds a fresh store (give a path that does not exist)"
        case let .notEnoughData(what):
            return "not enough data for the benchmark: \(what)"
        case let .invariantBroken(what):
            return "benchmark invariant broken: \(what)"
        case let .missingTool(name, install):
            return "\(name) is not installed: \(install)"
        case let .toolFailed(name, output):
            return "\(name) failed: \(output)"
        }
    }
}
