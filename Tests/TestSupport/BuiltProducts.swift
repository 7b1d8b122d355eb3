import Foundation

/// Executables of this package that tests spawn as separate processes (`newsrec`, `mpirun … newsrec`).
///
/// They are taken from the build directory of the running test bundle (`.build/<triple>/debug` under `swift test`,
/// `.build/<triple>/release` under `swift test -c release`), which the test build has just brought up to date. An
/// executable that is missing there, or older than a source file of the package, is an error rather than a stale
/// program silently tested.
public enum BuiltProducts {
    /// The build directory of the running tests: the folder holding the test bundle `…PackageTests.xctest`.
    public static var directory: URL {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = executable
        while folder.path != "/" && !folder.lastPathComponent.hasSuffix(".xctest") {
            folder = folder.deletingLastPathComponent()
        }
        return folder.path == "/" ? executable.deletingLastPathComponent() : folder.deletingLastPathComponent()
    }

    /// The path of the executable product `name` of the running test build.
    /// - Throws: `StaleProduct` when it is missing or older than the newest file under `Sources/`.
    public static func executable(_ name: String) throws -> URL {
        let candidate = directory.appendingPathComponent(name)
        let manager = FileManager.default
        guard manager.isExecutableFile(atPath: candidate.path),
              let built = try? manager.attributesOfItem(atPath: candidate.path)[.modificationDate] as? Date else {
            throw StaleProduct(message: "\(candidate.path) is missing: build the package (swift build) first")
        }
        if let source = newestSource(), source.date > built {
            throw StaleProduct(message: "\(candidate.path) is older than \(source.path): rebuild (swift build)")
        }
        return candidate
    }

    /// The most recently modified file under `Sources/`.
    private static func newestSource() -> (path: String, date: Date)? {
        let sources = Fixtures.packageRoot.appendingPathComponent("Sources")
        guard let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey])
        else { return nil }
        var newest: (path: String, date: Date)?
        for case let file as URL in files {
            guard let date = try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate
            else { continue }
            if newest == nil || date > newest!.date { newest = (file.path, date) }
        }
        return newest
    }

    /// The executable a test needs is not there, or not up to date with the sources.
    public struct StaleProduct: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
