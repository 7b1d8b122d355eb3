import Foundation
import NewsModel
import TensorMath

/// `newsrec bench --micro`: model micro-benchmarks (see `ModelBenchmark`), comparable with
/// `Tools/reference/bench_model.py`.
struct BenchCommand: Command {
    static let name = "bench"
    static let abstract = "Micro-benchmark the model: encoders, a training step, attention scaling."
    static let help = """
        Usage: newsrec bench --micro [options]

        Times the model on synthetic data (release build recommended), as Tools/reference/bench_model.py does
        for PyTorch: per encoder, one training batch of 64 samples × (50 history + 5 candidates) = 3520 titles of
        30 tokens (5…15 real), news encoder and user encoder forward (evaluation) and forward+backward (training,
        dropout on), a whole training step (loss, backward, Adam), and a table of one attention layer's
        forward+backward time over sequence lengths 32…4096 (batch × length fixed). Reports medians.

        Options:
          --micro                 the micro-benchmarks (the only kind so far; may be omitted)
          --threads N             OpenBLAS threads and model worker threads (default 2)
          --reps N                timed repetitions (default 5); --warmup N untimed runs first (default 1)
          --encoders LIST         fastformer,mhsa (default both)
          --only model|scaling    run one part only
          --tokens N              batch × length in the scaling table (default 16384)
          --max-attention-mib X   skip MHSA scaling points whose attention weights exceed X MiB (default 512)
          --json                  print the report as one JSON object

        Example:
          newsrec bench --micro --threads 2 --reps 5
        """

    var options = ModelBenchmark.Options()
    var json = false

    init(arguments: inout ArgumentScanner) throws {
        _ = arguments.flag("--micro")
        json = arguments.flag("--json")
        if let threads = try arguments.option("--threads", as: Int.self) {
            guard threads >= 1 else { throw UsageError("--threads must be at least 1") }
            options.threads = threads
        }
        if let reps = try arguments.option("--reps", as: Int.self) {
            guard reps >= 1 else { throw UsageError("--reps must be at least 1") }
            options.repetitions = reps
        }
        if let warmup = try arguments.option("--warmup", as: Int.self) { options.warmup = max(0, warmup) }
        if let list = try arguments.option("--encoders") {
            options.encoders = try list.split(separator: ",").map {
                guard let encoder = NRMSConfiguration.Encoder(rawValue: String($0)) else {
                    throw UsageError("--encoders expects fastformer and/or mhsa, got '\($0)'")
                }
                return encoder
            }
        }
        switch try arguments.option("--only") {
        case nil: break
        case "model": options.scaling = false
        case "scaling": options.model = false
        case let other?: throw UsageError("--only expects model or scaling, got '\(other)'")
        }
        if let tokens = try arguments.option("--tokens", as: Int.self) { options.scalingTokens = max(32, tokens) }
        if let limit = try arguments.option("--max-attention-mib", as: Double.self) { options.maxAttentionMiB = limit }
    }

    func run(context: CommandContext) throws {
        context.log("bench: \(options.threads) threads, OpenBLAS kernels \(BLAS.kernelName)")
        let report = try ModelBenchmark.run(options) { context.log($0) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            context.print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            context.print(ModelBenchmark.format(report))
        }
    }
}
