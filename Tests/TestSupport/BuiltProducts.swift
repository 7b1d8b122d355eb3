import Foundation

/// Executables of this package that tests spawn as separate processes (`newsrec`, `mpirun … newsrec`).
///
/// They are taken from the build directory of the running test bundle (`.build/<triple>/debug` under `swift test`,
/// `.build/<triple>/release` under `swift test -c release`): `swift test` builds every product of the package in
/// that directory before it runs a test, so the executable is the one built from the sources under test, in the
/// configuration under test (never, say, a debug binary left over from another build).
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
    /// - Throws: `MissingProduct` when the build directory has no such executable.
    public static func executable(_ name: String) throws -> URL {
        let candidate = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw MissingProduct(message: "\(candidate.path) is missing: build the package (swift build) first")
        }
        return candidate
    }

    /// The executable a test needs is not in the test build's directory.
    public struct MissingProduct: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
