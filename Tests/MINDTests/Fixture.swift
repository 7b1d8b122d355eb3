import Foundation

/// Locates files under the package's top-level `Fixtures/` directory.
enum Fixture {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // MINDTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // package root
        .appendingPathComponent("Fixtures")

    static func sample(_ name: String) -> URL { root.appendingPathComponent("sample").appendingPathComponent(name) }
    static func bad(_ name: String) -> URL { root.appendingPathComponent("bad").appendingPathComponent(name) }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("MINDTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
