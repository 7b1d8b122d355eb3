import Benchmarks
import NewsModel
import TensorMath

/// `newsrec bench micro`: model micro-benchmarks on synthetic batches.
struct BenchMicroCommand: Command {
    static let configuration = CommandConfiguration(
        name: "micro",
        abstract: "model layers: encoders forward/backward, a training step, attention over sequence lengths",
        discussion: """
            Model micro-benchmarks on synthetic batches, comparable with Tools/reference/bench_model.py: per
            encoder, one training batch of 64 samples × (50 history + 5 candidates) = 3520 titles of 30 tokens
            (5…15 real), news and user encoder forward (evaluation) and forward+backward (training, dropout on), a
            whole training step (loss, backward, Adam), and one attention layer's forward+backward time over
            sequence lengths 32…4096 (batch × length fixed). Reports medians.
            """,
        examples: ["newsrec bench micro --threads 2 --reps 5 --only model",
                   "newsrec bench micro --only scaling --reps 3 --max-attention-mib 6000"])

    /// `--only`: one part of the micro-benchmarks.
    enum Part: String, CaseIterable, Sendable {
        case model, scaling
    }

    private static let defaults = ModelBenchmark.Options()
    static let threads = ThreadOptions.threads.withDefault(
        defaults.threads, help: "OpenBLAS threads and model worker threads")
    static let repetitions = BenchmarkOptions.repetitions.withDefault(defaults.repetitions)
    static let warmup = Option(
        "--warmup", .integer, default: defaults.warmup, rule: .atLeast(0), help: "untimed runs before them")
    static let encoders = NRMSOptions.encoder.allowingSeveral(
        default: defaults.encoders, help: "the encoders to measure")
    static let only = Option.optional("--only", ValueParser<Part>.choice, help: "run one part only")
    static let tokens = Option(
        "--tokens", .integer, default: defaults.scalingTokens, rule: .atLeast(32),
        help: "batch × length in the scaling table")
    static let maxAttentionMiB = Option(
        "--max-attention-mib", .number, default: defaults.maxAttentionMiB, rule: .positive,
        help: "skip MHSA scaling points whose attention weights exceed X MiB")

    static var options: [any OptionDeclaration] {
        [threads, repetitions, warmup, encoders, only, tokens, maxAttentionMiB, OutputOptions.json]
    }

    var benchmark = ModelBenchmark.Options()
    var json: Bool

    init(options: ParsedOptions) {
        benchmark.threads = options[Self.threads]
        benchmark.repetitions = options[Self.repetitions]
        benchmark.warmup = options[Self.warmup]
        benchmark.encoders = options[Self.encoders]
        benchmark.model = options[Self.only] != .scaling
        benchmark.scaling = options[Self.only] != .model
        benchmark.scalingTokens = options[Self.tokens]
        benchmark.maxAttentionMiB = options[Self.maxAttentionMiB]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        context.log("bench: \(benchmark.threads) threads, OpenBLAS kernels \(BLAS.kernelName)")
        let report = try ModelBenchmark.run(benchmark) { context.log($0) }
        try context.print(report, json: json)
    }
}
