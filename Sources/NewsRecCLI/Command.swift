import Foundation

/// A subcommand of `newsrec`: parses its own options from an explicit argument list, then runs.
///
/// Commands never read `CommandLine` or write to `stdout` directly; they use the `CommandContext`,
/// so tests drive them in-process and capture what they print.
public protocol Command {
    /// The word after `newsrec`, e.g. `ingest`.
    static var name: String { get }
    /// One line for the command list.
    static var abstract: String { get }
    /// The full `--help` text: usage line, options with defaults, and an example.
    static var help: String { get }
    /// Parses the options that follow the command name. Unknown or missing options throw `UsageError`.
    init(arguments: inout ArgumentScanner) throws
    /// Does the work. Throws on failure; the CLI prints the error and exits non-zero.
    func run(context: CommandContext) throws
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

/// A command-line mistake: wrong, missing or unknown options. Printed with the command's usage hint.
public struct UsageError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Consumes `--name value`, `--name=value` and `--flag` arguments in any order.
public struct ArgumentScanner {
    private var remaining: [String]
    /// Whether `--help` or `-h` was given.
    public private(set) var wantsHelp: Bool

    public init(_ arguments: [String]) {
        remaining = arguments
        wantsHelp = arguments.contains("--help") || arguments.contains("-h")
        remaining.removeAll { $0 == "--help" || $0 == "-h" }
    }

    /// The value of `--name`, or nil when absent. Throws when the option has no value.
    public mutating func option(_ name: String) throws -> String? {
        var found: String?
        var index = 0
        while index < remaining.count {
            let argument = remaining[index]
            if argument == name {
                guard index + 1 < remaining.count else { throw UsageError("\(name) needs a value") }
                found = remaining[index + 1]
                remaining.removeSubrange(index...(index + 1))
            } else if argument.hasPrefix(name + "=") {
                found = String(argument.dropFirst(name.count + 1))
                remaining.remove(at: index)
            } else {
                index += 1
            }
        }
        return found
    }

    /// The value of a required `--name`.
    public mutating func required(_ name: String) throws -> String {
        guard let value = try option(name) else { throw UsageError("missing required option \(name)") }
        return value
    }

    /// `--name` parsed as `T` (Int, Double, …), or nil when absent.
    public mutating func option<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T? {
        guard let text = try option(name) else { return nil }
        guard let value = T(text) else { throw UsageError("\(name) expects a \(T.self), got '\(text)'") }
        return value
    }

    /// Whether the boolean flag `--name` is present (consumes it).
    public mutating func flag(_ name: String) -> Bool {
        let before = remaining.count
        remaining.removeAll { $0 == name }
        return remaining.count != before
    }

    /// Throws if any argument was not consumed.
    public func finish() throws {
        if let first = remaining.first { throw UsageError("unknown argument '\(first)'") }
    }
}
