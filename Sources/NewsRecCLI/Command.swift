import Foundation

/// A subcommand of `newsrec`: declares its options, reads them from the parsed command line, then runs.
///
/// A command declares each option once, as a `static let` of type `Option<Value>` (its own, or one of the shared
/// groups `StoreOptions`, `NRMSOptions`, `ThreadOptions`, `OutputOptions`), and lists them in `options`. From that
/// list `NewsRecCLI` parses the command line strictly, generates the usage line and the options part of `--help`,
/// then calls `validate` (rules between options), `init(options:)` (typed reads) and `run`:
///
/// ```swift
/// struct EmbedCommand: Command {
///     static let configuration = CommandConfiguration(
///         name: "embed", abstract: "Cache a model's news vectors in the store.",
///         discussion: "Registers the model in the store and encodes …",
///         examples: ["newsrec embed --db mind.sqlite --model runs/fastformer"])
///     static var options: [any OptionDeclaration] {
///         [StoreOptions.database, NRMSOptions.model, ThreadOptions.threads, OutputOptions.json]
///     }
///     var database: String, model: String, threads: Int, json: Bool
///     init(options: ParsedOptions) {
///         database = options[StoreOptions.database]
///         …
///     }
///     func run(context: CommandContext) throws { … }
/// }
/// ```
/// Declarations are plain static values, not property wrappers on instance properties: the parser and the help
/// generator need the options before any command value exists, and a static list needs no reflection. Reading an
/// option the command does not list is a programming error (a precondition), and a test checks that every command
/// reads every option it lists.
///
/// Commands never read `CommandLine` or write to `stdout` directly; they use the `CommandContext`, so tests drive
/// them in-process and capture what they print.
public protocol Command {
    /// The name, the one-line abstract and the hand-written prose of `--help`.
    static var configuration: CommandConfiguration { get }
    /// Every option the command accepts, in the order the usage line and the help list them.
    static var options: [any OptionDeclaration] { get }
    /// Checks rules between options ("at most one of …", a bound that depends on another option) after parsing,
    /// before `init(options:)`. Throws `UsageError`.
    static func validate(_ options: ParsedOptions) throws
    /// Reads the parsed options. May throw `UsageError` for what only reading can tell (an unreadable list file).
    init(options: ParsedOptions) throws
    /// Does the work. Throws on failure; the CLI prints the error and exits non-zero.
    func run(context: CommandContext) throws
}

extension Command {
    /// No rules between options.
    public static func validate(_ options: ParsedOptions) throws {}
}

/// What `--help` and the command list say about a command: everything except the options, which are generated.
public struct CommandConfiguration: Sendable {
    /// The word after `newsrec` (or after the group, for a subcommand such as `bench rank`).
    public var name: String
    /// One line for the command list.
    public var abstract: String
    /// The prose of `--help` between the usage line and the options: what the command does, notes, formats.
    public var discussion: String
    /// Complete command lines, printed last.
    public var examples: [String]

    public init(name: String, abstract: String, discussion: String, examples: [String] = []) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.examples = examples
    }
}

/// A command whose first word picks one of several subcommands (`newsrec bench rank …`).
public protocol CommandGroup {
    /// The group's name, abstract and the prose of its `--help`.
    static var configuration: CommandConfiguration { get }
    /// The subcommands, in the order the group's help lists them.
    static var subcommands: [any Command.Type] { get }
    /// The subcommand run when the first word after the group is an option (or there is none).
    static var defaultSubcommand: any Command.Type { get }
    /// Other spellings of subcommand names, e.g. `--rank` for `rank`.
    static var aliases: [String: String] { get }
}

/// Where a command writes: standard output for results, standard error for progress and diagnostics.
public final class CommandContext: @unchecked Sendable {
    private let writeOut: @Sendable (String) -> Void
    private let writeErr: @Sendable (String) -> Void
    /// Whether standard error is a terminal (progress lines then redraw in place).
    public let interactive: Bool

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
                interactive: Bool = false) {
        self.writeOut = out
        self.writeErr = err
        self.interactive = interactive
    }

    /// A context bound to the process's standard output and error.
    public static func standard() -> CommandContext {
        CommandContext(
            out: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            err: { text in FileHandle.standardError.write(Data(text.utf8)) },
            interactive: isatty(2) == 1)
    }

    /// Prints a line of results to standard output.
    public func print(_ line: String = "") { writeOut(line + "\n") }
    /// Prints a diagnostic or progress line to standard error.
    public func log(_ line: String) { writeErr(line + "\n") }
    /// Writes raw text to standard error (for `\r` progress redraws).
    public func logRaw(_ text: String) { writeErr(text) }
}
