import Foundation
import TensorMath
import MIND
import NewsModel
import Ranking

/// `newsrec bench --rank`: the ranking benchmark (latency of rank queries from the store). `BenchCommand` parses
/// `--rank` and hands the remaining options to this command.
struct RankBenchCommand: Command {
    static let name = "bench --rank"
    static let abstract = "Benchmark ranking from the store: warm/cold query latency, whole-catalogue top 10."
    static let help = """
        Usage: newsrec bench --rank [--model CHECKPOINT_DIR] [--news N] [--users N] [--candidates N]
                                    [--warm N] [--cold N] [--db FILE] [--json]

        Builds a synthetic MIND-small-sized store (65,238 news with titles of 8–14 words from a 20k-word
        vocabulary; users with a full click history and one impression each), embeds every news, then times:
          - rank queries of 100 candidates for a user whose vector is cached (warm), p50/p99;
          - rank queries of 100 candidates for users whose vector is not cached yet (cold: the user encoder
            runs over the cached vectors of their last 50 clicks, and the vector is written to the store);
          - the top 10 of every cached news for one user (first query loads all vectors into one matrix).
        All news vectors are cached before the timed queries.

        Options:
          --model CHECKPOINT_DIR  the model to use (default: a randomly initialised NRMS/Fastformer of the MIND
                                  sizes: word_dim 300, hidden 256, 16 heads, title 30, history 50, whose
                                  vocabulary is the synthetic titles' words)
          --news N                news in the store (default 65238)
          --users N               users (default 1000; cold queries use a different user each)
          --candidates N          candidates per query (default 100)
          --warm N                warm queries timed (default 2000)
          --cold N                cold queries timed (default 500, at most users − 1)
          --db FILE               where to build the store (must not exist; kept afterwards). Default: a
                                  temporary file, removed at the end
          --json                  print the report as one JSON object

        Example:
          newsrec bench --rank
        """

    var options = RankBenchmark.Options()
    var model: String?
    var database: String?
    var json: Bool

    init(arguments: inout ArgumentScanner) throws {
        model = try arguments.option("--model")
        database = try arguments.option("--db")
        options.newsCount = try arguments.option("--news", as: Int.self) ?? options.newsCount
        options.userCount = try arguments.option("--users", as: Int.self) ?? options.userCount
        options.candidateCount = try arguments.option("--candidates", as: Int.self) ?? options.candidateCount
        options.warmQueries = try arguments.option("--warm", as: Int.self) ?? options.warmQueries
        options.coldQueries = try arguments.option("--cold", as: Int.self) ?? options.coldQueries
        json = arguments.flag("--json")
        guard options.newsCount >= options.candidateCount * 2, options.candidateCount >= 1 else {
            throw UsageError("--news must be at least twice --candidates")
        }
        guard options.userCount >= 2, options.warmQueries >= 1, options.coldQueries >= 1 else {
            throw UsageError("--users must be at least 2, --warm and --cold at least 1")
        }
    }

    func run(context: CommandContext) throws {
        let temporary = database == nil
        let path = database ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("newsrec-bench-rank-\(UUID().uuidString).sqlite").path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw UsageError("--db \(path) exists; the benchmark builds a fresh store")
        }
        defer {
            if temporary {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        let encoder: NRMSModel
        let modelID: String
        let config: String
        if let model {
            let url = try Checkpoint.resolve(URL(fileURLWithPath: model))
            encoder = try Checkpoint.load(from: url)
            modelID = try ModelFingerprint.id(ofCheckpointAt: url)
            config = (try? String(contentsOf: url.appendingPathComponent("config.json"), encoding: .utf8)) ?? "{}"
        } else {
            let vocabulary = Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken]
                                        + (0 ..< 20_000).map { "w\($0)" })
            let configuration = NRMSConfiguration(vocabularySize: vocabulary.count)
            let parameters = try NRMSParameters(configuration: configuration, seed: 1)
            encoder = try NRMSModel(parameters: parameters, vocabulary: vocabulary)
            modelID = "random-init-mind"
            config = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        }
        BLAS.setThreadCount(1)
        let report = try RankBenchmark.run(storePath: path, options: options, modelID: modelID, config: config,
                                           encoder: encoder, log: context.log)
        if json {
            let encoderJSON = JSONEncoder()
            encoderJSON.outputFormatting = [.sortedKeys]
            context.print(String(decoding: try encoderJSON.encode(report), as: UTF8.self))
        } else {
            context.print(report.markdown)
        }
    }
}
