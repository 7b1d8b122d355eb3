import Benchmarks

/// `newsrec bench`: the benchmarks, one subcommand each (`train` when none is named).
enum BenchCommand: CommandGroup {
    static let configuration = CommandConfiguration(
        name: "bench",
        abstract: "Benchmarks: training/inference throughput, model layers, ranking latency, the HTTP service, MIND readers.",
        discussion: """
            Each subcommand measures one thing and prints its figures as text, or as JSON with --json; progress goes
            to standard error. Without a subcommand, bench runs bench train. The spellings bench --micro,
            bench --rank and bench --parse still work.
            """,
        examples: ["newsrec bench train --json > bench.json", "newsrec bench micro --threads 2 --reps 5",
                   "newsrec bench rank", "newsrec bench serve", "newsrec bench parse --news MINDsmall_train/news.tsv"])

    static var subcommands: [any Command.Type] {
        [BenchTrainCommand.self, BenchMicroCommand.self, BenchRankCommand.self, BenchServeCommand.self,
         BenchParseCommand.self]
    }
    static var defaultSubcommand: any Command.Type { BenchTrainCommand.self }
    static var aliases: [String: String] { ["--micro": "micro", "--rank": "rank", "--parse": "parse"] }
}

/// Options several benchmarks take.
enum BenchmarkOptions {
    /// `--reps N`: timed repetitions of each measurement (the median is reported).
    static let repetitions = Option("--reps", .integer, default: 3, rule: .atLeast(1), help: "timed repetitions")
}

extension CommandContext {
    /// Prints `report` to standard output: as JSON when `json`, else as its text.
    func print(_ report: some BenchmarkReport, json: Bool) throws {
        print(json ? try report.json() : report.text)
    }
}
