import Foundation
import Testing
import TestSupport

/// The bench subcommands run end to end on small inputs; their JSON has the fields the text is made from.
@Suite("newsrec bench")
struct BenchCommandTests {
    /// The JSON object (or array) printed by `outcome`.
    func json(_ outcome: Outcome) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(outcome.out.utf8))
    }

    @Test("bench parse reads the sample files and reports lines and candidates")
    func parse() throws {
        let news = Fixtures.sample("news.tsv").path, behaviors = Fixtures.sample("behaviors_train.tsv").path
        let result = newsrec(["bench", "parse", "--news", news, "--behaviors", behaviors, "--reps", "1", "--json"])
        #expect(result.code == 0, "\(result.err)")
        let figures = try #require(try json(result) as? [[String: Any]])
        #expect(figures.map { $0["file"] as? String } == [news, behaviors])
        #expect(figures.map { $0["lines"] as? Int } == [5, 4])
        #expect(figures[1]["candidates"] as? Int == 10)
        let text = newsrec(["bench", "--parse", "--news", news, "--reps", "1"])
        #expect(text.out.hasPrefix("MIND reader throughput (median of 1):\n  \(news): 5 lines"))
    }

    @Test("bench rank builds a synthetic store with its whole catalogue and times warm and cold queries")
    func rank() throws {
        let folder = try TemporaryDirectory("cli-bench-rank")
        defer { folder.remove() }
        let store = folder.path("store.sqlite")
        let result = newsrec(["bench", "rank", "--news-count", "200", "--user-count", "40",
                              "--impression-count", "120", "--candidate-count", "10", "--warm", "4", "--cold", "3",
                              "--db", store, "--json"])
        #expect(result.code == 0, "\(result.err)")
        let report = try #require(try json(result) as? [String: Any])
        #expect(report["newsCount"] as? Int == 200)
        #expect(report["candidateCount"] as? Int == 10)
        #expect(report["historyLength"] as? Int == 50)
        #expect((report["warm"] as? [String: Any])?["count"] as? Int == 4)
        #expect((report["cold"] as? [String: Any])?["count"] as? Int == 3)
        #expect((report["coldHistoryMean"] as? Double ?? 0) > 0)
        #expect(FileManager.default.fileExists(atPath: store))
        let again = newsrec(["bench", "rank", "--db", store])
        #expect(again.code == 64)
        #expect(again.err.contains("exists"))
    }

    @Test("bench train measures training and inference on a store")
    func train() throws {
        let folder = try TemporaryDirectory("cli-bench-train")
        defer { folder.remove() }
        let store = folder.path("store.sqlite")
        #expect(newsrec(["ingest", "--db", store, "--split", "train", "--news", Fixtures.sample("news.tsv").path,
                         "--behaviors", Fixtures.sample("behaviors_train.tsv").path]).code == 0)
        let result = newsrec(["bench", "train", "--db", store, "--encoder", "fastformer", "--parallel", "data",
                              "--steps", "1", "--threads", "1", "--peak-size", "256", "--json"])
        #expect(result.code == 0, "\(result.err)")
        let report = try #require(try json(result) as? [String: Any])
        #expect(Set(report.keys) == ["machine", "dataset", "trainSamples", "vocabulary", "training", "inference",
                                     "sgemmGFLOPS", "peakSize", "peakThreads"])
        #expect(report["peakSize"] as? Int == 256 && (report["sgemmGFLOPS"] as? Double ?? 0) > 0)
        #expect(report["dataset"] as? String == store)
        let training = try #require(report["training"] as? [[String: Any]])
        #expect(training.map { $0["parallel"] as? String } == ["data"])
        #expect(training.first?["steps"] as? Int == 1)
        #expect((training.first?["gflops"] as? Double ?? 0) > 0 && (training.first?["fractionOfPeak"] as? Double ?? 0) > 0)
        let inference = try #require(report["inference"] as? [[String: Any]])
        #expect(inference.first?["impressions"] as? Int == 4)
    }

    @Test("bench micro runs one small scaling point")
    func micro() throws {
        let result = newsrec(["bench", "micro", "--only", "scaling", "--encoder", "fastformer", "--tokens", "32",
                              "--reps", "1", "--warmup", "0", "--threads", "1"])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.hasPrefix("newsrec model benchmarks: 1 threads, median of 1"))
        #expect(result.out.contains("attention L=4096 B=1"))
    }
}
