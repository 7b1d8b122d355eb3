/// A command-line mistake. `NewsRecCLI.run` prints it with "Run 'newsrec <command> --help' for usage." and exits 64.
public enum UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A word that is no command of `newsrec`.
    case unknownCommand(String)
    /// A word after a command group (`bench`) that is none of its subcommands.
    case unknownSubcommand(String, group: String, available: [String])
    /// An option the command does not declare; `suggestion` is a declared option with a similar name.
    case unknownOption(String, suggestion: String?)
    /// A word that is neither an option nor the value of one.
    case unexpectedArgument(String)
    /// An option given more than once.
    case repeatedOption(String)
    /// An option that needs a value at the end of the command line.
    case missingValue(option: String, valueName: String)
    /// An option name where the value of the option before it should be (`--db --json`).
    case optionAsValue(option: String, valueName: String, found: String)
    /// A flag given a value (`--json=yes`).
    case flagWithValue(String)
    /// A value that does not parse or breaks the option's rule.
    case invalidValue(option: String, value: String, requirement: String)
    /// A required option that is absent.
    case missingOption(String)
    /// Options that cannot be given together; at most one of them is allowed.
    case conflictingOptions([String])
    /// Any other rule of a command, in words.
    case invalid(String)

    /// A mistake described in words.
    public init(_ message: String) { self = .invalid(message) }

    public var description: String {
        switch self {
        case let .unknownCommand(name):
            return "unknown command '\(name)'"
        case let .unknownSubcommand(name, group, available):
            return "unknown subcommand '\(name)' of \(group) (one of \(englishList(available, conjunction: "or")))"
        case let .unknownOption(name, suggestion):
            return "unknown option '\(name)'" + (suggestion.map { "; did you mean \($0)?" } ?? "")
        case let .unexpectedArgument(word):
            return "unexpected argument '\(word)' (values follow their option: --name VALUE or --name=VALUE)"
        case let .repeatedOption(name):
            return "\(name) is given more than once"
        case let .missingValue(option, valueName):
            return "\(option) needs a value (\(option) \(valueName))"
        case let .optionAsValue(option, valueName, found):
            return "\(option) needs a value (\(option) \(valueName)), found the option \(found); "
                + "write \(option)=\(found) if that is the value"
        case let .flagWithValue(name):
            return "\(name) takes no value"
        case let .invalidValue(option, value, requirement):
            return "\(option) must be \(requirement), got '\(value)'"
        case let .missingOption(name):
            return "missing required option \(name)"
        case let .conflictingOptions(names):
            return "give at most one of " + names.joined(separator: ", ")
        case let .invalid(message):
            return message
        }
    }

    /// The message (as `description`).
    public var message: String { description }
}
