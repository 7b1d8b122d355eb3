/// The generated parts of `--help`: usage lines and option lists from the declarations, around the hand-written
/// prose of `CommandConfiguration`.
enum Help {
    /// Lines are wrapped to this many columns.
    static let width = 110
    /// Where the help text of an option starts.
    static let helpColumn = 28

    /// `Usage: newsrec <path> --db FILE [--json] …`, wrapped with continuation lines under the first option.
    static func usage(path: String, options: [any OptionDeclaration]) -> String {
        let prefix = "Usage: newsrec \(path)"
        let words = options.map { option -> String in
            let word = option.valueName.isEmpty ? option.name : "\(option.name) \(option.valueName)"
            return option.isRequired ? word : "[\(word)]"
        }
        return wrap(words, firstPrefix: prefix + " ", prefix: String(repeating: " ", count: prefix.count + 1))
    }

    /// The full help of `command` invoked as `newsrec <path>`.
    static func text(for command: any Command.Type, path: String) -> String {
        let configuration = command.configuration
        var sections = [usage(path: path, options: command.options), configuration.discussion]
        var lines = ["Options:"]
        for option in command.options { lines.append(contentsOf: optionLines(option)) }
        lines.append(contentsOf: entry("-h, --help", "print this help"))
        sections.append(lines.joined(separator: "\n"))
        if !configuration.examples.isEmpty {
            sections.append((configuration.examples.count == 1 ? "Example:" : "Examples:") + "\n"
                + configuration.examples.map { "  " + $0 }.joined(separator: "\n"))
        }
        return sections.filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    /// The help of a command group: its prose and the list of its subcommands.
    static func text(for group: any CommandGroup.Type) -> String {
        let configuration = group.configuration
        let names = group.subcommands.map { $0.configuration.name }
        var sections = ["Usage: newsrec \(configuration.name) [\(names.joined(separator: "|"))] [options]",
                        configuration.discussion]
        var lines = ["Subcommands:"]
        let width = (names.map(\.count).max() ?? 0) + 2
        for subcommand in group.subcommands {
            let name = subcommand.configuration.name
            let note = ObjectIdentifier(subcommand) == ObjectIdentifier(group.defaultSubcommand) ? " (the default)" : ""
            lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                + subcommand.configuration.abstract + note)
        }
        sections.append(lines.joined(separator: "\n"))
        sections.append("Run 'newsrec \(configuration.name) <subcommand> --help' for the options of each.")
        if !configuration.examples.isEmpty {
            sections.append("Examples:\n" + configuration.examples.map { "  " + $0 }.joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n")
    }

    /// The lines of one option in the options list: name and value, then its help with the default or "required".
    static func optionLines(_ option: any OptionDeclaration) -> [String] {
        let left = option.valueName.isEmpty ? option.name : "\(option.name) \(option.valueName)"
        var help = option.help
        if option.isRequired {
            help += " (required)"
        } else if let value = option.defaultDescription {
            help += " (default \(value))"
        }
        return entry(left, help)
    }

    /// `left` in the first column and `text` wrapped in the second; on a line of its own when `left` is too wide.
    private static func entry(_ left: String, _ text: String) -> [String] {
        let indent = String(repeating: " ", count: helpColumn)
        let head = "  " + left
        var words: [String] = []
        for word in text.split(separator: " ").map(String.init) {
            // "(default 4096)" stays on one line.
            if words.last == "(default" { words[words.count - 1] += " " + word } else { words.append(word) }
        }
        if head.count + 2 > helpColumn {
            return [head] + wrap(words, firstPrefix: indent, prefix: indent).split(separator: "\n").map(String.init)
        }
        let first = head.padding(toLength: helpColumn, withPad: " ", startingAt: 0)
        return wrap(words, firstPrefix: first, prefix: indent).split(separator: "\n").map(String.init)
    }

    /// `words` joined by spaces into lines of at most `width` columns, the first after `firstPrefix`, the others
    /// after `prefix`. A word longer than a line gets a line of its own.
    static func wrap(_ words: [String], firstPrefix: String, prefix: String) -> String {
        var lines: [String] = []
        var line = firstPrefix
        var lineHasWord = false
        for word in words {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                line = prefix
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
