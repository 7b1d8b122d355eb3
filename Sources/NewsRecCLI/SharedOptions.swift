import Foundation
import MIND
import NewsModel
import SyntheticMIND
import Training

// Options that several commands take, declared once. A command lists the ones it accepts in its `options` (with
// `optional(help:)` or `withDefault(_:)` where its use differs) and reads them like its own.

/// The SQLite store and what names its contents.
enum StoreOptions {
    /// `--db FILE`: the store file.
    static let database = Option.required(
        "--db", .path("FILE"), help: "the SQLite store file")
    /// `--split train|dev|test`.
    static let split = Option("--split", .choice, default: Split.dev, help: "the split")
    /// `--user U`: a user id.
    static let user = Option.required("--user", .string("U"), help: "the user id")
}

/// The model: a trained one (`--model`), or the encoders of a new one (`--encoder`).
enum NRMSOptions {
    /// `--model DIR`: a checkpoint directory, or a `newsrec train` run directory (its latest checkpoint).
    static let model = Option.required(
        "--model", .path("DIR"),
        help: "a newsrec train run directory (its latest checkpoint) or a checkpoint directory (model.safetensors, "
            + "config.json, vocab.txt)")
    /// `--encoder fastformer|mhsa`: the news and user encoders of a new model.
    static let encoder = Option(
        "--encoder", .choice, default: NRMSConfiguration.Encoder.fastformer,
        help: "the news and user encoders: fastformer (additive attention) or mhsa (multi-head self-attention)")
}

/// How a command spreads work over the cores.
enum ThreadOptions {
    /// `--threads N`.
    static let threads = Option(
        "--threads", .integer, default: Parallelism.coreCount, defaultDescription: "all cores", rule: .atLeast(1),
        help: "threads to use")
    /// The default thread count of a process: all cores, or its share of them when mpirun started several
    /// processes on this machine (`OMPI_COMM_WORLD_LOCAL_SIZE`).
    static var localShare: Int {
        let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
        return max(1, Parallelism.coreCount / max(local, 1))
    }
    /// `--parallel auto|data|layers`.
    static let parallel = Option(
        "--parallel", .choice, default: ParallelMode.auto,
        help: "how threads share the work (the trained model is the same bits either way): data: each thread "
            + "takes whole shards of the batch; layers: the threads split each shard's matrix products and "
            + "per-sequence loops (one batch stays whole, so each news is encoded once); auto: data when this "
            + "process has at least as many shards as threads, else layers")
}

/// `--parallel`: the ways of using several threads in training; they differ in speed only.
enum ParallelMode: String, CaseIterable, Sendable {
    case auto, data, layers

    /// The modes a benchmark measures by default.
    static let measured: [ParallelMode] = [.data, .layers]

    /// The parallelism of this mode over `threads` threads for a process that owns `shards` shards of a batch.
    func parallelism(threads: Int, shards: Int = 1) -> Parallelism {
        switch self {
        case .auto: return shards >= threads ? .dataParallel(threads) : .layerParallel(threads)
        case .data: return .dataParallel(threads)
        case .layers: return .layerParallel(threads)
        }
    }
}

/// Where results go.
enum OutputOptions {
    /// `--json`: one JSON object on standard output instead of text.
    static let json = Option.flag("--json", help: "print the result as one JSON object")
    /// `--out DIR`: the directory a command writes into.
    static let directory = Option.required("--out", .path("DIR"), help: "the output directory")
}

/// Reproducibility.
enum SeedOptions {
    /// `--seed S`: the seed of every random choice; the same seed gives the same result.
    static let seed = Option("--seed", .integer, default: UInt64(1), help: "random seed")
}

/// The files of a MIND split.
enum MINDFileOptions {
    /// `--news FILE`: a news.tsv.
    static let news = Option.required("--news", .path("FILE"), help: "a news.tsv")
    /// `--behaviors FILE`: a behaviors.tsv.
    static let behaviors = Option.required("--behaviors", .path("FILE"), help: "a behaviors.tsv")
}

/// The sizes of a synthetic dataset (`SyntheticMINDConfiguration`).
enum SyntheticDataOptions {
    private static let defaults = SyntheticMINDConfiguration()
    /// `--user-count N`.
    static let userCount = Option(
        "--user-count", .integer, default: defaults.users, rule: .atLeast(1), help: "user population")
    /// `--news-count N`.
    static let newsCount = Option(
        "--news-count", .integer, default: defaults.news, rule: .atLeast(1), help: "news articles")
    /// `--impression-count N`.
    static let impressionCount = Option(
        "--impression-count", .integer, default: defaults.impressions, rule: .atLeast(1),
        help: "impressions over train+dev+test, split 70/15/15")
}
