import Foundation

/// A fresh directory under the system's temporary folder. Remove it when done (`defer { directory.remove() }`).
public struct TemporaryDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// Creates `<tmp>/<prefix>-<uuid>/`.
    public init(_ prefix: String = "newsrec-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The URL of `name` inside the directory.
    public func appending(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` to `name` in the directory (creating folders on the way) and returns its URL.
    @discardableResult
    public func file(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: false, encoding: .utf8)
        return file
    }

    /// Removes the directory and its contents.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
