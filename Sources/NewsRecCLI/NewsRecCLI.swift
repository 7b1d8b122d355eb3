import Foundation

/// The `newsrec` program: finds the command, parses its options, runs it, and turns errors into messages and exit
/// codes (0 success, 1 failure, 64 command-line mistake).
public enum NewsRecCLI {
    /// Every command, in the order `newsrec --help` lists them.
    public static var commands: [CommandEntry] { [
        .command(SynthCommand.self),
        .command(IngestCommand.self),
        .command(StatsCommand.self),
        .command(TrainCommand.self),
        .command(EvaluateCommand.self),
        .command(EmbedCommand.self),
        .command(ClickCommand.self),
        .command(RankCommand.self),
        .command(ServeCommand.self),
        .group(BenchCommand.self),
        .command(DemoCommand.self),
        .command(VersionCommand.self),
    ] }

    /// Every runnable command with the words that invoke it (`"bench rank"`), groups expanded.
    static var allCommands: [(path: String, command: any Command.Type)] {
        commands.flatMap { entry -> [(path: String, command: any Command.Type)] in
            switch entry {
            case let .command(command):
                return [(command.configuration.name, command)]
            case let .group(group):
                return group.subcommands.map { ("\(group.configuration.name) \($0.configuration.name)", $0) }
            }
        }
    }

    /// Runs `newsrec` with `arguments` (without the program name) and returns the process exit code.
    public static func run(_ arguments: [String], context: CommandContext = .standard()) -> Int32 {
        let invocation: Invocation
        do {
            invocation = try parse(arguments)
        } catch {
            context.log("\(error)")
            return 64
        }
        switch invocation {
        case let .help(text, exitCode):
            context.print(text)
            return exitCode
        case let .run(command, path):
            do {
                try command.run(context: context)
                return 0
            } catch let error as UsageError {
                context.log(CommandLineError(path: path, error: error).description)
                return 64
            } catch {
                context.log("newsrec \(path): error: \(error)")
                return 1
            }
        }
    }

    /// What a command line asks for.
    enum Invocation {
        /// Print `text` and exit with `exitCode`.
        case help(String, exitCode: Int32)
        /// Run `command`, invoked as `newsrec <path>`.
        case run(any Command, path: String)
    }

    /// Finds the command of `arguments`, parses and validates its options, and makes it; or the help asked for.
    /// Throws `CommandLineError`.
    static func parse(_ arguments: [String]) throws -> Invocation {
        guard let name = arguments.first else { return .help(overview, exitCode: 64) }
        if name == "--help" || name == "-h" {
            return .help(overview, exitCode: 0)
        }
        if name == "help" {
            let rest = Array(arguments.dropFirst())
            return rest.isEmpty ? .help(overview, exitCode: 0) : try parse(rest + ["--help"])
        }
        guard let entry = commands.first(where: { $0.name == name }) else {
            throw CommandLineError(path: nil, error: .unknownCommand(name))
        }
        let rest = Array(arguments.dropFirst())
        switch entry {
        case let .command(command):
            return try parse(rest, for: command, path: name)
        case let .group(group):
            return try parse(rest, in: group)
        }
    }

    /// Picks the subcommand of `group` named by the first of `arguments` (an alias, or the default subcommand when
    /// the first is an option) and parses the rest for it.
    private static func parse(_ arguments: [String], in group: any CommandGroup.Type) throws
        -> Invocation {
        let groupName = group.configuration.name
        let names = group.subcommands.map { $0.configuration.name }
        let first = arguments.first
        let word = first.flatMap { group.aliases[$0] } ?? first
        if let word, let subcommand = group.subcommands.first(where: { $0.configuration.name == word }) {
            return try parse(Array(arguments.dropFirst()), for: subcommand, path: "\(groupName) \(word)")
        }
        if arguments.contains(where: isHelp) {
            return .help(Help.text(for: group), exitCode: 0)
        }
        if let first, !first.hasPrefix("-") {
            throw CommandLineError(path: groupName,
                                   error: .unknownSubcommand(first, group: groupName, available: names))
        }
        let subcommand = group.defaultSubcommand
        return try parse(arguments, for: subcommand, path: "\(groupName) \(subcommand.configuration.name)")
    }

    /// Parses `arguments` for `command`: its help when asked for, else the validated command.
    private static func parse(_ arguments: [String], for command: any Command.Type,
                              path: String) throws -> Invocation {
        if arguments.contains(where: isHelp) {
            return .help(Help.text(for: command, path: path), exitCode: 0)
        }
        do {
            let options = try ParsedOptions(arguments, declarations: command.options)
            try command.validate(options)
            return .run(try command.init(options: options), path: path)
        } catch let error as UsageError {
            throw CommandLineError(path: path, error: error)
        } catch {
            throw CommandLineError(path: path, error: .invalid("\(error)"))
        }
    }

    private static func isHelp(_ argument: String) -> Bool { argument == "--help" || argument == "-h" }

    /// The command list of `newsrec --help`.
    static var overview: String {
        var text = """
            newsrec — NRMS/Fastformer news recommendation on MIND-format data.

            Usage: newsrec <command> [options]     (newsrec <command> --help for details)

            Commands:

            """
        let width = commands.map(\.name.count).max() ?? 0
        for command in commands {
            text += "  " + command.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.abstract + "\n"
        }
        return text
    }
}

/// An entry of the command list: a command, or a group of subcommands.
public enum CommandEntry {
    case command(any Command.Type)
    case group(any CommandGroup.Type)

    /// The word after `newsrec`.
    public var name: String { configuration.name }
    /// The line of `newsrec --help`.
    public var abstract: String { configuration.abstract }

    private var configuration: CommandConfiguration {
        switch self {
        case let .command(command): return command.configuration
        case let .group(group): return group.configuration
        }
    }
}

/// A `UsageError` of a command line, with the command it concerns (nil: no command was recognised).
struct CommandLineError: Error, CustomStringConvertible {
    var path: String?
    var error: UsageError

    var description: String {
        guard let path else { return "newsrec: \(error). Run 'newsrec --help' for the list." }
        return "newsrec \(path): \(error)\nRun 'newsrec \(path) --help' for usage."
    }
}

/// `newsrec version`: prints the program version.
struct VersionCommand: Command {
    static let configuration = CommandConfiguration(
        name: "version", abstract: "Print the newsrec version.", discussion: "Prints the version of newsrec.")
    static var options: [any OptionDeclaration] { [] }
    init(options: ParsedOptions) {}
    func run(context: CommandContext) throws { context.print("newsrec 0.1.0") }
}
