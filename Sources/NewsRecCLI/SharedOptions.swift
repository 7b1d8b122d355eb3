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
    /// `--parallel data|blas`.
    static let parallel = Option(
        "--parallel", .choice, default: ParallelMode.data,
        help: "data: each batch split across N workers with single-threaded BLAS, their gradients summed into one "
            + "Adam step (faster at MIND-small sizes on 2 cores, see BENCHMARKS.md); blas: one worker whose BLAS "
            + "calls and per-sequence loops use N threads")
}

/// `--parallel`: the two ways of using several threads in training.
enum ParallelMode: String, CaseIterable, Sendable {
    case data, blas

    /// The parallelism of this mode over `threads` threads.
    func parallelism(threads: Int) -> Parallelism {
        switch self {
        case .data: return .dataParallel(threads)
        case .blas: return .blas(threads)
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
