/// The options of one command line, parsed strictly against the command's declarations; commands read typed values
/// from it with the declarations (`options[Self.epochs]`).
///
/// Parsing accepts `--name value`, `--name=value` and `--flag`, in any order, and rejects with a `UsageError`: an
/// undeclared option, a word that is no option's value, an option given twice, a missing value, an option name in
/// the place of a value (`--db --json`; write `--db=--json` for such a value), a value that does not parse or breaks
/// the option's rule, and an absent required option. `--help` is handled before parsing (`NewsRecCLI`).
public final class ParsedOptions {
    private let declarations: [String: any OptionDeclaration]
    private var values: [String: any Sendable] = [:]
    /// The declared options read so far (tests check that a command reads every option it declares).
    private(set) var readNames: Set<String> = []

    /// Parses `arguments` (the words after the command name) against `declarations`.
    public init(_ arguments: [String], declarations: [any OptionDeclaration]) throws {
        var byName: [String: any OptionDeclaration] = [:]
        for declaration in declarations {
            precondition(byName[declaration.name] == nil, "option \(declaration.name) is declared twice")
            byName[declaration.name] = declaration
        }
        self.declarations = byName
        var index = 0
        while index < arguments.count {
            index = try parse(at: index, of: arguments)
        }
        for declaration in declarations where declaration.isRequired && values[declaration.name] == nil {
            throw UsageError.missingOption(declaration.name)
        }
    }

    /// Parses the option at `arguments[index]` (and its value) and returns the index after it.
    private func parse(at index: Int, of arguments: [String]) throws -> Int {
        let argument = arguments[index]
        guard argument.hasPrefix("-"), argument.count > 1, Double(argument) == nil else {
            throw UsageError.unexpectedArgument(argument)
        }
        let name: String, inlineValue: String?
        if let equals = argument.firstIndex(of: "=") {
            name = String(argument[..<equals])
            inlineValue = String(argument[argument.index(after: equals)...])
        } else {
            name = argument
            inlineValue = nil
        }
        guard let declaration = declarations[name] else {
            throw UsageError.unknownOption(name, suggestion: suggestion(for: name))
        }
        guard values[name] == nil else { throw UsageError.repeatedOption(name) }
        if declaration.kind == .flag {
            guard inlineValue == nil else { throw UsageError.flagWithValue(name) }
            values[name] = true
            return index + 1
        }
        if let inlineValue {
            values[name] = try declaration.parseValue(inlineValue)
            return index + 1
        }
        guard index + 1 < arguments.count else {
            throw UsageError.missingValue(option: name, valueName: declaration.valueName)
        }
        let value = arguments[index + 1]
        if value.hasPrefix("--") {
            throw UsageError.optionAsValue(option: name, valueName: declaration.valueName, found: value)
        }
        values[name] = try declaration.parseValue(value)
        return index + 2
    }

    /// A declared option whose name is close to `name`: one starts with the other (also without a plural `s`), or
    /// they differ in at most two characters.
    private func suggestion(for name: String) -> String? {
        let singular = name.hasSuffix("s") ? String(name.dropLast()) : name
        let names = declarations.keys.sorted()
        return names.first { $0.hasPrefix(singular) || singular.hasPrefix($0) && $0.count > 3 }
            ?? names.first { editDistance($0, name) <= 2 }
    }

    /// The value of `option`: the given one, else its default (nil for an absent optional option).
    public subscript<Value>(option: Option<Value>) -> Value {
        guard let declared = declarations[option.name] else {
            preconditionFailure("\(option.name) is read but not declared by the command")
        }
        precondition(declared.kind == option.kind && declared.isRequired == option.isRequired
                     && declared.defaultDescription == option.defaultDescription,
                     "\(option.name) is read with another declaration than the command lists")
        readNames.insert(option.name)
        if let given = values[option.name] {
            guard let value = given as? Value else {
                preconditionFailure("\(option.name) is declared with another type than it is read with")
            }
            return value
        }
        guard let value = option.valueWhenAbsent else {
            preconditionFailure("required option \(option.name) is absent after parsing")
        }
        return value
    }

    /// Whether the command line gives `option`.
    public func isGiven(_ option: any OptionDeclaration) -> Bool { values[option.name] != nil }

    /// Throws `UsageError.conflictingOptions` when more than one of `options` is given.
    public func requireAtMostOne(of options: [any OptionDeclaration]) throws {
        if options.filter(isGiven).count > 1 { throw UsageError.conflictingOptions(options.map(\.name)) }
    }
}

/// The Levenshtein distance between `a` and `b`.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
