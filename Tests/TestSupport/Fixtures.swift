import Foundation

/// The package's top-level folders as tests see them: the one place that finds them from `#filePath`.
public enum Fixtures {
    /// The package root (the folder holding `Package.swift`).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // TestSupport
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // package root

    /// `Fixtures/` at the package root.
    public static let root: URL = packageRoot.appendingPathComponent("Fixtures")

    /// `Fixtures/<relativePath>`.
    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// `Fixtures/sample/<name>`: a small, well-formed MIND sample.
    public static func sample(_ name: String) -> URL { url("sample/\(name)") }

    /// `Fixtures/bad/<name>`: one malformed input per file.
    public static func bad(_ name: String) -> URL { url("bad/\(name)") }
}
