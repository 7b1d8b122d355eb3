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
    /// - Parameter sources: the folders under `Sources/` the product is built from, for a product that does not
    ///   depend on every module (it is not relinked when an unrelated module changes); empty = all of `Sources/`.
    /// - Throws: `StaleProduct` when it is missing or older than the newest file under those folders.
    public static func executable(_ name: String, builtFrom sources: [String] = []) throws -> URL {
        let candidate = directory.appendingPathComponent(name)
        let manager = FileManager.default
        guard manager.isExecutableFile(atPath: candidate.path),
              let built = try? manager.attributesOfItem(atPath: candidate.path)[.modificationDate] as? Date else {
            throw StaleProduct(message: "\(candidate.path) is missing: build the package (swift build) first")
        }
        if let source = newestSource(in: sources.isEmpty ? folders(excludingExecutablesOtherThan: name) : sources),
           source.date > built {
            throw StaleProduct(message: "\(candidate.path) is older than \(source.path): rebuild (swift build)")
        }
        return candidate
    }

    /// Every folder of `Sources/` except those of other executables (a folder with a `main.swift`), which `name`
    /// does not link.
    private static func folders(excludingExecutablesOtherThan name: String) -> [String] {
        let sources = Fixtures.packageRoot.appendingPathComponent("Sources")
        let all = (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? []
        return all.filter { folder in
            folder == name
                || !FileManager.default.fileExists(atPath: sources.appendingPathComponent("\(folder)/main.swift").path)
        }
    }

    /// The most recently modified regular file under the given folders of `Sources/`.
    private static func newestSource(in folders: [String]) -> (path: String, date: Date)? {
        let sources = Fixtures.packageRoot.appendingPathComponent("Sources")
        var newest: (path: String, date: Date)?
        for folder in folders {
            let root = folder.isEmpty ? sources : sources.appendingPathComponent(folder)
            let keys: [URLResourceKey] = [.contentModificationDateKey, .isRegularFileKey]
            guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else { continue }
            for case let file as URL in files {
                guard let values = try? file.resourceValues(forKeys: Set(keys)), values.isRegularFile == true,
                      let date = values.contentModificationDate else { continue }
                if newest == nil || date > newest!.date { newest = (file.path, date) }
            }
        }
        return newest
    }

    /// The executable a test needs is not there, or not up to date with the sources.
    public struct StaleProduct: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
