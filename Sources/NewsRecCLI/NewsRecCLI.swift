import Foundation

/// The `newsrec` program: dispatches to a subcommand and turns errors into messages and exit codes.
public enum NewsRecCLI {
    /// Every subcommand, in the order `newsrec --help` lists them.
    public static var commands: [any Command.Type] { [
        SynthCommand.self,
        IngestCommand.self,
        StatsCommand.self,
        TrainCommand.self,
        EvaluateCommand.self,
        EmbedCommand.self,
        ClickCommand.self,
        RankCommand.self,
        BenchCommand.self,
        DemoCommand.self,
        VersionCommand.self,
    ] }

    /// Runs `newsrec` with `arguments` (without the program name) and returns the process exit code.
    public static func run(_ arguments: [String], context: CommandContext = .standard()) -> Int32 {
        guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
            context.print(overview)
            return arguments.isEmpty ? 64 : 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            context.log("newsrec: unknown command '\(name)'. Run 'newsrec --help' for the list.")
            return 64
        }
        var scanner = ArgumentScanner(Array(arguments.dropFirst()))
        if scanner.wantsHelp {
            context.print(command.help)
            return 0
        }
        do {
            let instance = try command.init(arguments: &scanner)
            try scanner.finish()
            try instance.run(context: context)
            return 0
        } catch let error as UsageError {
            context.log("newsrec \(name): \(error.message)\nRun 'newsrec \(name) --help' for usage.")
            return 64
        } catch {
            context.log("newsrec \(name): error: \(error)")
            return 1
        }
    }

    static var overview: String {
        var text = """
            newsrec — NRMS/Fastformer news recommendation on MIND-format data.

            Usage: newsrec <command> [options]     (newsrec <command> --help for details)

            Commands:

            """
        let width = commands.map { $0.name.count }.max() ?? 0
        for command in commands {
            text += "  " + command.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.abstract + "\n"
        }
        return text
    }
}

/// `newsrec version`: prints the program version.
struct VersionCommand: Command {
    static let name = "version"
    static let abstract = "Print the newsrec version."
    static let help = "Usage: newsrec version\n\nPrints the version of newsrec."
    init(arguments: inout ArgumentScanner) throws {}
    func run(context: CommandContext) throws { context.print("newsrec 0.1.0") }
}
