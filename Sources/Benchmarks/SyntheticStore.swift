import Foundation
import MIND
import Store
import SyntheticMIND

/// A synthetic MIND dataset generated and ingested into a store: the data of `newsrec demo` and of the benchmarks.
public enum SyntheticStore {
    /// Generates the dataset of `configuration` into `data` and ingests its train, dev and test splits into the
    /// store at `database` (created when missing).
    ///
    /// - Parameters:
    ///   - wholeCatalogue: also ingest every generated article, not only those the splits' impressions reference
    ///     (a store with all `configuration.news` news, as the ranking benchmark needs).
    ///   - log: progress lines.
    /// - Returns: the generator's report (sizes, statistics and the oracle metrics).
    @discardableResult
    public static func generate(_ configuration: SyntheticMINDConfiguration, into data: URL, store database: URL,
                                threads: Int, wholeCatalogue: Bool = false,
                                log: (String) -> Void) throws -> SyntheticMINDReport {
        var started = Date()
        log("synth: \(configuration.users) users, \(configuration.news) news, "
            + "\(configuration.impressions) impressions → \(data.path)")
        let generator = try SyntheticMINDGenerator(configuration: configuration, threads: threads)
        let report = try generator.write(to: data)
        let catalogue = data.appendingPathComponent("catalogue.tsv")
        if wholeCatalogue { try generator.writeCatalogue(to: catalogue) }
        log(String(format: "synth: done in %.1f s", Date().timeIntervalSince(started)))
        started = Date()
        let store = try NewsStore(path: database.path)
        for split in Split.allCases {
            let folder = data.appendingPathComponent(split.rawValue)
            try store.ingest(split: split, newsFile: folder.appendingPathComponent("news.tsv"),
                             behaviorsFile: folder.appendingPathComponent("behaviors.tsv"))
        }
        if wholeCatalogue { try store.ingest(split: .train, newsFile: catalogue, behaviorsFile: nil) }
        log(String(format: "ingest: train, dev, test into %@ in %.1f s", database.path,
                   Date().timeIntervalSince(started)))
        return report
    }

    /// A synthetic store in a new temporary directory; `remove()` deletes the directory.
    public struct Temporary: Sendable {
        /// The directory holding `data/` and the store.
        public let directory: URL
        /// The store file.
        public var database: URL { directory.appendingPathComponent("store.sqlite") }
        /// The generator's report.
        public let report: SyntheticMINDReport

        /// Generates and ingests the dataset of `configuration` into a fresh temporary directory.
        public init(_ configuration: SyntheticMINDConfiguration, threads: Int, log: (String) -> Void) throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("newsrec-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            do {
                report = try SyntheticStore.generate(configuration, into: directory.appendingPathComponent("data"),
                                                     store: directory.appendingPathComponent("store.sqlite"),
                                                     threads: threads, log: log)
            } catch {
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
        }

        /// Deletes the directory and everything in it.
        public func remove() { try? FileManager.default.removeItem(at: directory) }
    }
}

/// The two dataset sizes of `newsrec bench train` and the one of `bench parse`.
public enum SyntheticSize: String, CaseIterable, Sendable {
    /// 2000 users, 3000 news, 6000 impressions (the synthetic default).
    case small
    /// 50000 users, 65000 news, 230000 impressions (the sizes of MIND-small).
    case mindSmall = "mind-small"

    /// The generator configuration of this size (seed 1).
    public var configuration: SyntheticMINDConfiguration {
        switch self {
        case .small: return SyntheticMINDConfiguration()
        case .mindSmall: return SyntheticMINDConfiguration(users: 50_000, news: 65_000, impressions: 230_000, seed: 1)
        }
    }
}
