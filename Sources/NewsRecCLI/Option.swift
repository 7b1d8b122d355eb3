import Foundation

/// The kind of value an option takes. It decides how the usage line and the help show the option, and it is what
/// "one meaning per option name" compares across commands.
public enum ValueKind: Sendable, Equatable, CustomStringConvertible {
    /// Present or absent, no value (`--json`).
    case flag
    /// Free text (`--user U13740`).
    case string
    /// A whole number (`--epochs 3`).
    case integer
    /// A decimal number (`--lr 1e-4`).
    case number
    /// A file or directory path (`--db mind.sqlite`).
    case path
    /// One of a fixed set of words (`--split train|dev|test`).
    case choice([String])
    /// Comma-separated values of one kind (`--candidates N1,N2`).
    indirect case list(ValueKind)

    public var description: String {
        switch self {
        case .flag: return "flag"
        case .string: return "text"
        case .integer: return "integer"
        case .number: return "number"
        case .path: return "path"
        case let .choice(words): return "one of " + words.joined(separator: "|")
        case let .list(element): return "list of \(element)"
        }
    }

    /// The kind without the list around it: `--encoder fastformer` and `--encoder fastformer,mhsa` mean the same.
    public var element: ValueKind {
        if case let .list(element) = self { return element.element }
        return self
    }
}

/// Turns the text after an option name into a typed value, and a typed value back into text (for defaults in help).
public struct ValueParser<Value: Sendable>: Sendable {
    /// How the value is shown and compared across commands.
    public let kind: ValueKind
    /// The placeholder in usage and help: `N`, `FILE`, `train|dev|test`.
    public let valueName: String
    /// What a valid value is, for error messages: "an integer", "train, dev or test".
    public let expectation: String
    let read: @Sendable (String) -> Value?
    let write: @Sendable (Value) -> String

    /// A parser of any kind; `read` returns nil for text that is not a valid value.
    public init(kind: ValueKind, valueName: String, expectation: String, read: @escaping @Sendable (String) -> Value?,
                write: @escaping @Sendable (Value) -> String) {
        self.kind = kind
        self.valueName = valueName
        self.expectation = expectation
        self.read = read
        self.write = write
    }
}

extension ValueParser where Value: FixedWidthInteger & LosslessStringConvertible {
    /// A whole number (`N`).
    public static var integer: ValueParser {
        ValueParser(kind: .integer, valueName: "N", expectation: "an integer", read: { Value($0) },
                    write: { String($0) })
    }
}

extension ValueParser where Value: BinaryFloatingPoint & LosslessStringConvertible {
    /// A decimal number (`X`), such as `0.5` or `1e-4`.
    public static var number: ValueParser {
        ValueParser(kind: .number, valueName: "X", expectation: "a number",
                    read: { text in Value(text).flatMap { $0.isFinite ? $0 : nil } },
                    write: { String(describing: $0) })
    }
}

extension ValueParser where Value == String {
    /// Non-empty text, shown as `valueName`.
    public static func string(_ valueName: String) -> ValueParser {
        ValueParser(kind: .string, valueName: valueName, expectation: "a non-empty \(valueName)",
                    read: { $0.isEmpty ? nil : $0 }, write: { $0 })
    }

    /// A path, shown as `valueName` (`FILE`, `DIR`); relative paths are relative to the working directory.
    public static func path(_ valueName: String) -> ValueParser {
        ValueParser(kind: .path, valueName: valueName, expectation: "a path (\(valueName))",
                    read: { $0.isEmpty ? nil : $0 }, write: { $0 })
    }
}

extension ValueParser where Value: CaseIterable & RawRepresentable, Value.RawValue == String {
    /// One of the raw values of `Value`, shown as `a|b|c`.
    public static var choice: ValueParser {
        let words = Value.allCases.map(\.rawValue)
        return ValueParser(kind: .choice(words), valueName: words.joined(separator: "|"),
                           expectation: englishList(words, conjunction: "or"),
                           read: { Value(rawValue: $0) }, write: { $0.rawValue })
    }
}

extension ValueParser {
    /// Comma-separated values of `element` (at least one, none empty), shown as `valueName`, `a|b[,…]` for choices,
    /// or `N,…`.
    public static func list<Element>(of element: ValueParser<Element>, valueName: String? = nil) -> ValueParser
    where Value == [Element] {
        let shown: String
        if case .choice = element.kind {
            shown = "\(element.valueName)[,…]"
        } else {
            shown = "\(element.valueName),…"
        }
        return ValueParser(kind: .list(element.kind), valueName: valueName ?? shown,
                           expectation: "a comma-separated list of \(element.expectation)",
                           read: { text in
                               let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                               let values = parts.compactMap { element.read($0.trimmingCharacters(in: .whitespaces)) }
                               return values.count == parts.count && !values.isEmpty ? values : nil
                           },
                           write: { $0.map(element.write).joined(separator: ",") })
    }
}

/// A condition a parsed value must meet, such as "at least 1".
public struct ValueRule<Value: Sendable>: Sendable {
    /// The condition in words, for the error message: "--epochs must be at least 1, got '0'".
    public let requirement: String
    let isMet: @Sendable (Value) -> Bool

    /// A rule named `requirement` that `isMet` checks.
    public init(_ requirement: String, isMet: @escaping @Sendable (Value) -> Bool) {
        self.requirement = requirement
        self.isMet = isMet
    }
}

extension ValueRule where Value: Comparable {
    /// `value >= bound`.
    public static func atLeast(_ bound: Value) -> ValueRule {
        ValueRule("at least \(bound)") { $0 >= bound }
    }

    /// `value > bound`.
    public static func greaterThan(_ bound: Value) -> ValueRule {
        ValueRule("greater than \(bound)") { $0 > bound }
    }
}

extension ValueRule where Value: Comparable & ExpressibleByIntegerLiteral {
    /// `value > 0`.
    public static var positive: ValueRule { ValueRule("positive") { $0 > 0 } }
}

/// What an option is when the command line does not give it.
enum Absence<Value: Sendable>: Sendable {
    /// The command line must give the option.
    case required
    /// The value used when the option is absent (`nil` for options without a default).
    case defaultValue(Value)
}

/// One declared command-line option: its name, the kind of value, the help line, and what it is when absent.
///
/// The declaration is the single source of the option: the parser reads values with it, and the usage line and the
/// options part of `--help` are generated from it. Declare options as `static let` members of the command (or of a
/// shared group such as `StoreOptions`), list them in the command's `options`, and read them from `ParsedOptions`:
///
/// ```swift
/// static let epochs = Option("--epochs", .integer, default: 3, rule: .atLeast(1), help: "epochs")
/// static let user = Option.required("--user", .string("U"), help: "the user id")
/// static let top = Option.optional("--top", .integer, rule: .atLeast(1), help: "print the best K")
/// static let all = Option.flag("--all", help: "every news with a cached vector")
/// …
/// epochs = options[Self.epochs]   // Int
/// top = options[Self.top]         // Int?
/// ```
public struct Option<Value: Sendable>: OptionDeclaration {
    /// `--name`, with the dashes.
    public let name: String
    /// One line (wrapped in the help) saying what the option does; the default is added to it.
    public let help: String
    let parser: ValueParser<Value>
    let rule: ValueRule<Value>?
    let absence: Absence<Value>
    /// The default as the help shows it, when the written-out value would mislead (e.g. "all cores").
    let defaultText: String?

    init(name: String, help: String, parser: ValueParser<Value>, rule: ValueRule<Value>?, absence: Absence<Value>,
         defaultText: String?) {
        precondition(name.hasPrefix("--") && name.count > 2 && !name.contains("="), "bad option name \(name)")
        self.name = name
        self.help = help
        self.parser = parser
        self.rule = rule
        self.absence = absence
        self.defaultText = defaultText
    }

    /// An option with a default: `options[option]` is the given value, or `default` when the option is absent.
    /// - Parameter defaultDescription: the default as the help shows it (default: the value written out).
    public init(_ name: String, _ parser: ValueParser<Value>, default: Value, defaultDescription: String? = nil,
                rule: ValueRule<Value>? = nil, help: String) {
        self.init(name: name, help: help, parser: parser, rule: rule, absence: .defaultValue(`default`),
                  defaultText: defaultDescription ?? parser.write(`default`))
    }

    /// An option the command line must give.
    public static func required(_ name: String, _ parser: ValueParser<Value>, rule: ValueRule<Value>? = nil,
                                help: String) -> Option {
        Option(name: name, help: help, parser: parser, rule: rule, absence: .required, defaultText: nil)
    }

    /// An option that may be absent: `options[option]` is nil then.
    public static func optional<Wrapped>(_ name: String, _ parser: ValueParser<Wrapped>,
                                         rule: ValueRule<Wrapped>? = nil, help: String) -> Option
    where Value == Wrapped? {
        Option(name: name, help: help, parser: parser.optional, rule: rule?.optional, absence: .defaultValue(nil),
               defaultText: nil)
    }

    /// The same option with another default (and optionally another help line), e.g. `--threads` defaulting to 2.
    public func withDefault(_ value: Value, description: String? = nil, help: String? = nil) -> Option {
        Option(name: name, help: help ?? self.help, parser: parser, rule: rule, absence: .defaultValue(value),
               defaultText: description ?? parser.write(value))
    }

    /// The same option made required (and optionally another help line), e.g. `--split` for `ingest`.
    public func required(help: String? = nil) -> Option {
        Option(name: name, help: help ?? self.help, parser: parser, rule: rule, absence: .required, defaultText: nil)
    }

    /// The same option, absent allowed (nil), with another help line if given.
    public func optional(help: String? = nil) -> Option<Value?> {
        Option<Value?>(name: name, help: help ?? self.help, parser: parser.optional, rule: rule?.optional,
                       absence: .defaultValue(nil), defaultText: nil)
    }

    /// The same option taking a comma-separated list where a command accepts several values (`--encoder a,b`).
    public func allowingSeveral(default values: [Value], description: String? = nil, help: String? = nil)
        -> Option<[Value]> {
        let list = ValueParser<[Value]>.list(of: parser)
        let elementRule = rule
        let listRule = elementRule.map { rule in
            ValueRule<[Value]>("each \(rule.requirement)") { $0.allSatisfy(rule.isMet) }
        }
        return Option<[Value]>(name: name, help: help ?? self.help, parser: list, rule: listRule,
                               absence: .defaultValue(values), defaultText: description ?? list.write(values))
    }

    // MARK: OptionDeclaration

    public var kind: ValueKind { isFlag ? .flag : parser.kind }
    public var valueName: String { isFlag ? "" : parser.valueName }
    public var isRequired: Bool {
        if case .required = absence { return true }
        return false
    }
    public var defaultDescription: String? { isFlag ? nil : defaultText }
    var isFlag: Bool { parser.kind == .flag }

    public func parseValue(_ text: String) throws -> any Sendable {
        try value(from: text)
    }

    /// The typed value of `text`, or a `UsageError` naming the option.
    func value(from text: String) throws -> Value {
        guard let value = parser.read(text) else {
            throw UsageError.invalidValue(option: name, value: text, requirement: parser.expectation)
        }
        if let rule, !rule.isMet(value) {
            throw UsageError.invalidValue(option: name, value: text, requirement: rule.requirement)
        }
        return value
    }

    /// The value when the option is absent (nil for a required option).
    var valueWhenAbsent: Value? {
        if case let .defaultValue(value) = absence { return value }
        return nil
    }
}

extension Option where Value == Bool {
    /// A flag: `options[option]` is true when it is given. It takes no value (`--json=yes` is an error).
    public static func flag(_ name: String, help: String) -> Option {
        let parser = ValueParser<Bool>(kind: .flag, valueName: "", expectation: "no value", read: { _ in nil },
                                       write: { String($0) })
        return Option(name: name, help: help, parser: parser, rule: nil, absence: .defaultValue(false),
                      defaultText: nil)
    }
}

extension ValueParser {
    /// The same parser producing optional values (the option's absence is handled by `Option`).
    var optional: ValueParser<Value?> {
        let read = self.read, write = self.write
        return ValueParser<Value?>(kind: kind, valueName: valueName, expectation: expectation,
                                   read: { text in read(text).map { .some($0) } },
                                   write: { $0.map(write) ?? "" })
    }
}

extension ValueRule {
    /// The same rule on optional values (nil always meets it).
    var optional: ValueRule<Value?> {
        let isMet = self.isMet
        return ValueRule<Value?>(requirement) { $0.map(isMet) ?? true }
    }
}

/// A declared option with its type erased, as commands list them and the parser and help generator read them.
public protocol OptionDeclaration: Sendable {
    /// `--name`, with the dashes.
    var name: String { get }
    /// What the option does, one line.
    var help: String { get }
    /// The kind of value (`.flag` for flags).
    var kind: ValueKind { get }
    /// The placeholder of the value in usage and help (empty for flags).
    var valueName: String { get }
    /// Whether the command line must give the option.
    var isRequired: Bool { get }
    /// The default as the help shows it; nil when the option has none or is a flag.
    var defaultDescription: String? { get }
    /// Parses the option's value (not called for flags).
    func parseValue(_ text: String) throws -> any Sendable
}

/// "a", "a or b", "a, b or c".
func englishList(_ words: [String], conjunction: String) -> String {
    guard words.count > 1 else { return words.first ?? "" }
    return words.dropLast().joined(separator: ", ") + " \(conjunction) " + words.last!
}
