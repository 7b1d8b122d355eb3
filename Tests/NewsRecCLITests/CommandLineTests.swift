import Foundation
import Testing
@testable import NewsRecCLI

/// The declared options of every command: strict parsing, the generated usage and help, the command list, and one
/// meaning per option name. Nothing here runs a command.
@Suite("Command lines")
struct CommandLineTests {
    /// For every command, the arguments after its name that parse: its required options and nothing else.
    static let minimalArguments: [String: [String]] = [
        "synth": ["--out", "/tmp/newsrec-cli-test"],
        "ingest": ["--db", "s.sqlite", "--split", "train", "--news", "news.tsv"],
        "stats": ["--db", "s.sqlite"],
        "train": ["--db", "s.sqlite", "--out", "run"],
        "evaluate": ["--db", "s.sqlite", "--model", "run"],
        "embed": ["--db", "s.sqlite", "--model", "run"],
        "click": ["--db", "s.sqlite", "--user", "U1", "--news-id", "N1"],
        "rank": ["--db", "s.sqlite", "--model", "run", "--user", "U1"],
        "serve": ["--db", "s.sqlite", "--model", "run"],
        "bench train": [],
        "bench micro": [],
        "bench rank": [],
        "bench serve": [],
        "bench parse": [],
        "demo": [],
        "version": [],
    ]

    static var paths: [String] { NewsRecCLI.allCommands.map(\.path) }

    static func command(_ path: String) -> any Command.Type {
        NewsRecCLI.allCommands.first { $0.path == path }!.command
    }

    /// `path`'s words followed by `arguments`.
    static func line(_ path: String, _ arguments: [String]) -> [String] {
        path.split(separator: " ").map(String.init) + arguments
    }

    /// The minimal arguments of `path` without `option` (and its value).
    static func minimal(_ path: String, without option: String) -> [String] {
        var arguments = minimalArguments[path]!
        if let index = arguments.firstIndex(of: option) { arguments.removeSubrange(index ... index + 1) }
        return arguments
    }

    /// A valid value of `option` as the command line writes it.
    static func sampleValue(_ option: any OptionDeclaration) -> String {
        option.name == "--time" ? "1574300000" : sampleValue(option.kind)
    }

    /// A valid value of `kind` as the command line writes it.
    static func sampleValue(_ kind: ValueKind) -> String {
        switch kind {
        case .flag: return ""
        case .string: return "X1"
        case .integer: return "64"
        case .number: return "0.25"
        case .path: return "/tmp/newsrec-cli-test-path"
        case let .choice(words): return words.last!
        case let .list(.choice(words)): return words.joined(separator: ",")
        case let .list(element): return sampleValue(element) + "," + sampleValue(element)
        }
    }

    /// A value of `kind` that does not parse.
    static func invalidValue(_ kind: ValueKind) -> String {
        switch kind {
        case .integer, .number: return "many"
        case .choice, .list(.choice): return "nope"
        default: return ""
        }
    }

    /// The usage error of `arguments`, with the command path it names; nil when they parse.
    static func usageError(_ arguments: [String]) -> CommandLineError? {
        do {
            _ = try NewsRecCLI.parse(arguments)
            return nil
        } catch let error as CommandLineError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("the table of minimal arguments covers every command")
    func everyCommandCovered() {
        #expect(Set(Self.paths) == Set(Self.minimalArguments.keys))
    }

    @Test("the minimal arguments parse into the command", arguments: paths)
    func minimalArgumentsParse(path: String) throws {
        let invocation = try NewsRecCLI.parse(Self.line(path, Self.minimalArguments[path]!))
        guard case let .run(command, parsedPath) = invocation else {
            Issue.record("\(path) did not parse into a command")
            return
        }
        #expect(parsedPath == path)
        #expect(ObjectIdentifier(type(of: command)) == ObjectIdentifier(Self.command(path)))
    }

    @Test("every declared option parses as --name value and --name=value", arguments: paths)
    func everyOptionParses(path: String) throws {
        let command = Self.command(path)
        for option in command.options {
            let base = Self.minimal(path, without: option.name)
            let value = Self.sampleValue(option)
            let forms = option.kind == .flag ? [[option.name]] : [[option.name, value], ["\(option.name)=\(value)"]]
            for form in forms {
                let options = try ParsedOptions(base + form, declarations: command.options)
                #expect(options.isGiven(option), "\(path) \(form)")
            }
        }
    }

    @Test("a command reads every option it declares", arguments: paths)
    func everyOptionRead(path: String) throws {
        let command = Self.command(path)
        let options = try ParsedOptions(Self.minimalArguments[path]!, declarations: command.options)
        try command.validate(options)
        _ = try command.init(options: options)
        #expect(options.readNames == Set(command.options.map(\.name)))
    }

    @Test("unknown options and stray arguments are usage errors naming them", arguments: paths)
    func unknownAndStray(path: String) {
        let minimal = Self.minimalArguments[path]!
        let unknown = Self.usageError(Self.line(path, minimal + ["--bogus", "1"]))
        #expect(unknown?.path == path)
        if case let .unknownOption(name, _)? = unknown?.error { #expect(name == "--bogus") } else {
            Issue.record("\(path): \(String(describing: unknown))")
        }
        let stray = Self.usageError(Self.line(path, minimal + ["stray"]))
        #expect(stray?.error == .unexpectedArgument("stray"))
        let run = newsrec(Self.line(path, minimal + ["--bogus"]))
        #expect(run.code == 64)
        #expect(run.out.isEmpty)
        #expect(run.err.contains("newsrec \(path): unknown option '--bogus'"))
        #expect(run.err.contains("Run 'newsrec \(path) --help' for usage."))
    }

    @Test("repeated options, missing values, options taken as values and bad values are usage errors",
          arguments: paths)
    func badValues(path: String) {
        for option in Self.command(path).options {
            let base = Self.line(path, Self.minimal(path, without: option.name))
            let name = option.name
            if option.kind == .flag {
                #expect(Self.usageError(base + [name, name])?.error == .repeatedOption(name))
                #expect(Self.usageError(base + ["\(name)=yes"])?.error == .flagWithValue(name))
                continue
            }
            let value = Self.sampleValue(option)
            #expect(Self.usageError(base + [name, value, "\(name)=\(value)"])?.error == .repeatedOption(name))
            #expect(Self.usageError(base + [name])?.error == .missingValue(option: name, valueName: option.valueName))
            #expect(Self.usageError(base + [name, "--other"])?.error
                    == .optionAsValue(option: name, valueName: option.valueName, found: "--other"))
            let invalid = Self.invalidValue(option.kind)
            let error = Self.usageError(base + ["\(name)=\(invalid)"])?.error
            if case let .invalidValue(reported, text, _)? = error {
                #expect(reported == name)
                #expect(text == invalid)
            } else {
                Issue.record("\(path) \(name)=\(invalid): \(String(describing: error))")
            }
        }
    }

    @Test("an absent required option is a usage error naming it", arguments: paths)
    func missingRequired(path: String) {
        for option in Self.command(path).options where option.isRequired {
            let error = Self.usageError(Self.line(path, Self.minimal(path, without: option.name)))
            #expect(error?.error == .missingOption(option.name), "\(path)")
        }
    }

    @Test("--help and -h anywhere print the generated help with every option", arguments: paths)
    func help(path: String) {
        let command = Self.command(path)
        for arguments in [["--help"], ["-h"], Self.minimalArguments[path]! + ["--bogus", "--help"]] {
            let result = newsrec(Self.line(path, arguments))
            #expect(result.code == 0)
            #expect(result.err.isEmpty)
            #expect(result.out.hasPrefix("Usage: newsrec \(path)"))
        }
        let text = Help.text(for: command, path: path)
        let usage = String(text[..<text.range(of: "\n\n")!.lowerBound])
        let optionsSection = String(text[text.range(of: "\nOptions:\n")!.upperBound...])
        for option in command.options {
            let word = option.valueName.isEmpty ? option.name : "\(option.name) \(option.valueName)"
            #expect(usage.contains(option.isRequired ? word : "[\(word)]"), "\(path) usage lacks \(word)")
            #expect(optionsSection.contains("  " + word), "\(path) help lacks \(word)")
            if let value = option.defaultDescription { #expect(text.contains("(default \(value))")) }
        }
        #expect(text.contains(command.configuration.discussion))
        for example in command.configuration.examples { #expect(text.contains("  " + example)) }
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= Help.width }, "\(path): a line too wide")
    }

    @Test("the overview lists every command; unknown commands exit 64")
    func overview() {
        let result = newsrec(["--help"])
        #expect(result.code == 0)
        for entry in NewsRecCLI.commands {
            #expect(result.out.contains("  \(entry.name) "), "\(entry.name)")
            #expect(result.out.contains(entry.abstract))
        }
        #expect(newsrec([]).code == 64)
        #expect(newsrec(["help"]).out == result.out)
        #expect(newsrec(["help", "train"]).out.hasPrefix("Usage: newsrec train"))
        #expect(newsrec(["help", "bench", "rank"]).out.hasPrefix("Usage: newsrec bench rank"))
        let unknown = newsrec(["frobnicate"])
        #expect(unknown.code == 64)
        #expect(unknown.err == "newsrec: unknown command 'frobnicate'. Run 'newsrec --help' for the list.\n")
        #expect(newsrec(["version"]).out == "newsrec 0.1.0\n")
    }

    @Test("bench: subcommands, their help, the default subcommand and the old spellings")
    func benchSubcommands() throws {
        let help = newsrec(["bench", "--help"])
        #expect(help.code == 0)
        #expect(help.out.hasPrefix("Usage: newsrec bench [train|micro|rank|serve|parse]"))
        for subcommand in BenchCommand.subcommands {
            #expect(help.out.contains("  \(subcommand.configuration.name) "))
        }
        func parsed(_ arguments: [String]) throws -> (any Command, String)? {
            guard case let .run(command, path) = try NewsRecCLI.parse(arguments) else { return nil }
            return (command, path)
        }
        let byDefault = try #require(try parsed(["bench", "--json", "--steps", "2"]))
        #expect(byDefault.1 == "bench train")
        #expect((byDefault.0 as? BenchTrainCommand)?.benchmark.steps == 2)
        for (alias, name) in BenchCommand.aliases {
            let aliased = try #require(try parsed(["bench", alias, "--json"]))
            #expect(aliased.1 == "bench \(name)")
        }
        let micro = try #require(try parsed(["bench", "--micro", "--reps", "2"]))
        #expect((micro.0 as? BenchMicroCommand)?.benchmark.repetitions == 2)
        #expect(newsrec(["bench", "--rank", "--help"]).out.hasPrefix("Usage: newsrec bench rank"))
        let unknown = Self.usageError(["bench", "frob"])
        #expect(unknown?.path == "bench")
        #expect(unknown?.error
                == .unknownSubcommand("frob", group: "bench", available: ["train", "micro", "rank", "serve", "parse"]))
        #expect(newsrec(["bench", "frob"]).err.contains("Run 'newsrec bench --help' for usage."))
    }

    @Test("one meaning per option name across all commands; the old conflicting spellings are gone")
    func oneMeaningPerName() {
        var kinds: [String: [String: ValueKind]] = [:]
        for (path, command) in NewsRecCLI.allCommands {
            for option in command.options { kinds[option.name, default: [:]][path] = option.kind.element }
        }
        for (name, byCommand) in kinds {
            #expect(Set(byCommand.values.map(\.description)).count == 1, "\(name): \(byCommand)")
        }
        #expect(kinds["--news"]?.values.allSatisfy { $0 == .path } == true)
        #expect(kinds["--out"]?.values.allSatisfy { $0 == .path } == true)
        for old in ["--dir", "--encoders", "--users", "--impressions"] {
            #expect(kinds[old] == nil, "\(old) is still declared")
        }
        let candidates = NewsRecCLI.allCommands.flatMap { $0.command.options }.filter { $0.name == "--candidates" }
        #expect(candidates.allSatisfy { $0.kind == .list(.string) })
    }

    @Test("a renamed option is suggested under its new name")
    func suggestions() {
        #expect(Self.usageError(["synth", "--out", "x", "--news", "5"])?.error
                == .unknownOption("--news", suggestion: "--news-count"))
        #expect(Self.usageError(["synth", "--out", "x", "--users", "5"])?.error
                == .unknownOption("--users", suggestion: "--user-count"))
        #expect(Self.usageError(["bench", "micro", "--encoders", "mhsa"])?.error
                == .unknownOption("--encoders", suggestion: "--encoder"))
        #expect(Self.usageError(["bench", "rank", "--candidates", "5"])?.error
                == .unknownOption("--candidates", suggestion: "--candidate-count"))
        #expect(Self.usageError(["click", "--db", "s", "--user", "U", "--news", "N"])?.error
                == .unknownOption("--news", suggestion: "--news-id"))
    }
}
