import Foundation
import SyntheticMIND

/// `newsrec synth`: writes a synthetic MIND-format dataset with a known click model.
struct SynthCommand: Command {
    static let name = "synth"
    static let abstract = "Generate a synthetic MIND-format dataset (train/dev/test, GloVe vectors, oracle metrics)."
    static let help = """
        Usage: newsrec synth --out DIR [--users N] [--news N] [--impressions N] [--seed S] [--word-dim D]
                             [--ctr P] [--threads T] [--json]

        Writes a dataset in the format of MIND (news.tsv with 8 columns and entity JSON, behaviors.tsv with
        5 columns) whose clicks follow a known model, so training can be checked against a ceiling:

          DIR/train/{news.tsv,behaviors.tsv}   impressions of Nov 9-14 2019 (70% of --impressions), labelled
          DIR/dev/{news.tsv,behaviors.tsv}     impressions of Nov 15 (15%), labelled
          DIR/test/{news.tsv,behaviors.tsv}    impressions of Nov 16-17 (15%), without labels, as in MIND
          DIR/leaderboard/ref/truth.txt        the hidden test labels (evaluate.py's ref/truth.txt)
          DIR/glove.txt                        word vectors in GloVe text format (topic signal + noise,
                                               ~90% of the words covered)
          DIR/oracle.json                      sizes, click model, statistics, and reference metrics

        Click model: 18 MIND categories (with subcategories) are the topics. Each article has a topic mixture
        dominated by its category and a heavy-tailed popularity; each user has sparse interests over topics,
        an activity level and a bias. p(click) = sigmoid(bias + b_user + a*<interest, topics> +
        g*log popularity), with the bias calibrated to the target click-through rate of the labelled
        impressions (every one has at least one click and one non-click, as in MIND). Titles (~11 words)
        are drawn from topic vocabularies, a shared vocabulary and function words; entities are marked with
        their character offsets. Candidates are news published in the 2 days before the impression, drawn
        by popularity x freshness, so a few news collect most impressions. Histories are the user's clicks
        in the 4 weeks before train (test histories also include the train and dev clicks).

        Measured (release, 2 shared cores): MIND-small size 11 s CPU / 21 s wall; MIND-large size
        190 s CPU / 341 s wall, 344 MB peak memory.

        oracle.json and the summary report AUC, MRR, nDCG@5 and nDCG@10 on dev and test when ranking by the
        TRUE click probabilities (the ceiling), by popularity alone, and at random.

        Options:
          --out DIR          output directory (created; files of the same names are replaced)
          --users N          user population (default 2000)
          --news N           news articles (default 3000)
          --impressions N    impressions over train+dev+test, split 70/15/15 (default 6000)
          --seed S           random seed (default 1); the same seed gives byte-identical files
          --word-dim D       dimension of the vectors in glove.txt (default 50)
          --ctr P            click-through rate to calibrate to (default 0.04, MIND's)
          --threads T        worker threads (default: all cores; the output does not depend on it)
          --json             print the report (oracle.json) to stdout instead of a summary

        Sizes of MIND-small and MIND-large:
          newsrec synth --out /tmp/synth-small --users 50000 --news 65000 --impressions 230000
          newsrec synth --out /tmp/synth-large --users 1000000 --news 160000 --impressions 3200000

        Example:
          newsrec synth --out /tmp/synth --seed 7
        """

    var output: URL
    var configuration: SyntheticMINDConfiguration
    var threads: Int
    var json: Bool

    init(arguments: inout ArgumentScanner) throws {
        output = URL(fileURLWithPath: try arguments.required("--out"))
        let defaults = SyntheticMINDConfiguration()
        configuration = SyntheticMINDConfiguration(
            users: try arguments.option("--users", as: Int.self) ?? defaults.users,
            news: try arguments.option("--news", as: Int.self) ?? defaults.news,
            impressions: try arguments.option("--impressions", as: Int.self) ?? defaults.impressions,
            seed: try arguments.option("--seed", as: UInt64.self) ?? defaults.seed,
            wordDimension: try arguments.option("--word-dim", as: Int.self) ?? defaults.wordDimension,
            targetCTR: try arguments.option("--ctr", as: Double.self) ?? defaults.targetCTR)
        threads = try arguments.option("--threads", as: Int.self) ?? ProcessInfo.processInfo.activeProcessorCount
        json = arguments.flag("--json")
        do {
            try configuration.validate()
        } catch let error as SyntheticMINDError {
            throw UsageError(error.description)
        }
        guard threads >= 1 else { throw UsageError("--threads must be at least 1, got \(threads)") }
    }

    func run(context: CommandContext) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var lastPhase = ""
        let progress: (SyntheticMINDProgress) -> Void = { step in
            if context.interactive {
                let count = step.total > 1 ? " \(step.done)/\(step.total)" : ""
                context.logRaw("\r\u{1B}[Ksynth: \(step.phase)\(count)")
            } else if step.phase != lastPhase {
                context.log("synth: \(step.phase)")
            }
            lastPhase = step.phase
        }
        let generator = try SyntheticMINDGenerator(configuration: configuration, threads: threads, progress: progress)
        let report = try generator.write(to: output, progress: progress)
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if context.interactive { context.logRaw("\r\u{1B}[K") }
        context.log("synth: wrote \(output.path) in \(String(format: "%.1f", seconds)) s")

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf",
                                                                          negativeInfinity: "-inf", nan: "nan")
            context.print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        func percent(_ value: Double) -> String { String(format: "%.2f%%", 100 * value) }
        context.print("Synthetic MIND dataset in \(output.path) (seed \(configuration.seed))")
        for (name, split) in [("train", report.train), ("dev", report.dev), ("test", report.test)] {
            context.print("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0))"
                + "\(split.impressions) impressions, \(split.users) users, \(split.news) news, "
                + String(format: "%.1f candidates/impression, CTR %@, history %.1f (%d empty)",
                         split.meanCandidates, percent(split.clickThroughRate), split.meanHistoryLength,
                         split.emptyHistories))
        }
        context.print("  vocabulary \(report.vocabulary) words, \(report.wordVectors) vectors of dimension "
            + "\(configuration.wordDimension), "
            + String(format: "%.1f words per title", report.averageTitleWords))
        context.print("  top 10% of shown news: \(percent(report.concentration.top10PercentImpressionShare)) "
            + "of train impressions, \(percent(report.concentration.top10PercentClickShare)) of clicks")
        context.print("Dev metrics (ranking by):")
        context.print("  true click probability  \(report.devMetrics.oracle.formatted)")
        context.print("  popularity              \(report.devMetrics.popularity.formatted)")
        context.print("  random                  \(report.devMetrics.random.formatted)")
        context.print("Test metrics, true click probability: \(report.testMetrics.oracle.formatted)")
    }
}
