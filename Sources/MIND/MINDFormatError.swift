/// A MIND-format file could not be read: names the file, the 1-based line and what was expected there.
///
/// `line` is 0 when the problem is not tied to one line (the file cannot be opened or read).
public struct MINDFormatError: Error, CustomStringConvertible, Hashable, Sendable {
    /// The path as given to the reader.
    public var file: String
    /// 1-based line number; 0 = the file as a whole.
    public var line: Int
    /// What the reader expected, e.g. `"5 tab-separated columns, found 4"`.
    public var expected: String

    public init(file: String, line: Int, expected: String) {
        self.file = file
        self.line = line
        self.expected = expected
    }

    public var description: String {
        line > 0 ? "\(file):\(line): expected \(expected)" : "\(file): expected \(expected)"
    }
}
