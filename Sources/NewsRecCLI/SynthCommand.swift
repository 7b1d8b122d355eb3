import Basics
import Foundation
import SyntheticMIND
import Training

/// `newsrec synth`: writes a synthetic MIND-format dataset with a known click model.
struct SynthCommand: Command {
    static let configuration = CommandConfiguration(
        name: "synth",
        abstract: "Generate a synthetic MIND-format dataset (train/dev/test, GloVe vectors, oracle metrics).",
        discussion: """
            Writes a dataset in the format of MIND (news.tsv with 8 columns and entity JSON, behaviors.tsv with
            5 columns) whose clicks follow a known model, so training can be checked against a ceiling:

              DIR/train/{news.tsv,behaviors.tsv}   impressions of Nov 9-14 2019 (70% of the impressions), labelled
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
            TRUE click probabilities (the ceiling), by popularity alone, and at random. The same seed gives
            byte-identical files, whatever --threads.

            Sizes of MIND-small and MIND-large:
              newsrec synth --out /tmp/synth-small --user-count 50000 --news-count 65000 --impression-count 230000
              newsrec synth --out /tmp/synth-large --user-count 1000000 --news-count 160000 --impression-count 3200000
            """,
        examples: ["newsrec synth --out /tmp/synth --seed 7"])

    private static let defaults = SyntheticMINDConfiguration()
    static let output = OutputOptions.directory.required(
        help: "output directory (created; files of the same names are replaced)")
    static let userCount = SyntheticDataOptions.userCount
    static let newsCount = SyntheticDataOptions.newsCount
    static let impressionCount = SyntheticDataOptions.impressionCount
    static let seed = SeedOptions.seed.withDefault(defaults.seed)
    static let wordDimension = Option(
        "--word-dim", .integer, default: defaults.wordDimension, help: "dimension of the vectors in glove.txt")
    static let clickThroughRate = Option(
        "--ctr", .number, default: defaults.targetCTR, help: "click-through rate to calibrate to (MIND's: 0.04)")

    static let threads = ThreadOptions.threads.withDefault(
        Parallelism.coreCount, description: "all cores", help: "worker threads (the output does not depend on them)")
    static let json = OutputOptions.json.withDefault(
        false, help: "print the report (oracle.json) to stdout instead of a summary")

    static var options: [any OptionDeclaration] {
        [output, userCount, newsCount, impressionCount, seed, wordDimension, clickThroughRate, threads, json]
    }

    var output: URL
    var configuration: SyntheticMINDConfiguration
    var threads: Int
    var json: Bool

    /// The dataset sizes, seed and click-through rate of the command line; invalid ones are a usage error.
    static func validate(_ options: ParsedOptions) throws {
        do {
            try configuration(options).validate()
        } catch let error as SyntheticMINDError {
            throw UsageError(error.description)
        }
    }

    private static func configuration(_ options: ParsedOptions) -> SyntheticMINDConfiguration {
        SyntheticMINDConfiguration(
            users: options[userCount], news: options[newsCount], impressions: options[impressionCount],
            seed: options[seed], wordDimension: options[wordDimension], targetCTR: options[clickThroughRate])
    }

    init(options: ParsedOptions) {
        output = URL(fileURLWithPath: options[Self.output])
        configuration = Self.configuration(options)
        threads = options[Self.threads]
        json = options[Self.json]
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
        let seconds = elapsed.inSeconds
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
