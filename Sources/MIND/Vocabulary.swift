import Basics
import Foundation

/// A word vocabulary: id 0 is `[PAD]`, id 1 is `[UNK]`, then the words.
///
/// Stored as `vocab.txt`, one token per line, line *i* (0-based) holding the token of id *i*.
public struct Vocabulary: Hashable, Sendable {
    public static let padID: Int32 = 0
    public static let unknownID: Int32 = 1
    public static let padToken = "[PAD]"
    public static let unknownToken = "[UNK]"

    /// Token of every id, `tokens[0] == "[PAD]"`, `tokens[1] == "[UNK]"`.
    public private(set) var tokens: [String]
    private var ids: [String: Int32]

    /// A vocabulary of the given tokens in id order.
    ///
    /// - Precondition: `tokens[0]` is `[PAD]`, `tokens[1]` is `[UNK]`, no token repeats, fewer than 2³¹ tokens.
    public init(tokens: [String]) {
        precondition(tokens.count >= 2 && tokens[0] == Self.padToken && tokens[1] == Self.unknownToken,
                     "a vocabulary starts with [PAD], [UNK]")
        precondition(tokens.count <= Int(Int32.max), "too many tokens for Int32 ids")
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() {
            precondition(Self.isStorable(token), "token \"\(token)\" is empty or holds a line break")
            let previous = ids.updateValue(Int32(index), forKey: token)
            precondition(previous == nil, "token \"\(token)\" appears twice in the vocabulary")
        }
        self.tokens = tokens
        self.ids = ids
    }

    /// A vocabulary of the tokens of `titles` (see `Tokenizer`), words in order of first appearance.
    public init(buildingFrom titles: some Sequence<String>) {
        self.init(tokens: [Self.padToken, Self.unknownToken])
        for title in titles { _ = addTokens(of: title) }
    }

    /// Tokenizes `text` once, adds its new words (in order of appearance) and returns the ids of all its tokens:
    /// building a vocabulary and encoding the titles in one pass, with the ids `init(buildingFrom:)` would give.
    public mutating func addTokens(of text: String) -> [Int32] {
        Tokenizer.tokenize(text).map { add($0) }
    }

    /// Adds `token` at the end unless present; returns its id.
    @discardableResult
    public mutating func add(_ token: String) -> Int32 {
        if let id = ids[token] { return id }
        precondition(Self.isStorable(token), "token \"\(token)\" is empty or holds a line break")
        let id = Int32(tokens.count)
        tokens.append(token)
        ids[token] = id
        return id
    }

    /// A token fits on one line of vocab.txt.
    static func isStorable(_ token: String) -> Bool {
        !token.isEmpty && !token.utf8.contains(UInt8(ascii: "\n")) && !token.utf8.contains(UInt8(ascii: "\r"))
    }

    /// Number of ids, `[PAD]` and `[UNK]` included.
    public var count: Int { tokens.count }

    /// The id of `token`, or `unknownID` when absent.
    public func id(of token: String) -> Int32 {
        ids[token] ?? Self.unknownID
    }

    /// Whether `token` has its own id.
    public func contains(_ token: String) -> Bool {
        ids[token] != nil
    }

    /// The token of `id`. - Precondition: `0 <= id < count`.
    public func token(at id: Int32) -> String {
        tokens[Int(id)]
    }

    /// The ids of the first `length` tokens of `text` (unknown words → `unknownID`), without padding.
    public func encode(_ text: String, length: Int) -> [Int32] {
        Tokenizer.tokenize(text).prefix(max(length, 0)).map { id(of: $0) }
    }

    /// Reads a `vocab.txt`: line *i* is the token of id *i*; the first two lines must be `[PAD]` and `[UNK]`.
    ///
    /// - Throws: `MINDFormatError` for a wrong first or second line, an empty line, a repeated token, or an
    ///   unreadable file.
    public init(contentsOf url: URL) throws {
        let path = url.path
        var tokens: [String] = []
        var seen: [String: Int] = [:]
        try LineScanner.forEachLine(path: path) { bytes, line in
            let token = String(decoding: bytes, as: UTF8.self)
            let required = line == 1 ? Self.padToken : line == 2 ? Self.unknownToken : nil
            if let required, token != required {
                throw MINDFormatError(file: path, line: line,
                                      expected: "\(required) on line \(line) of a vocabulary, found \"\(token)\"")
            }
            guard !token.isEmpty else {
                throw MINDFormatError(file: path, line: line, expected: "one token per line, found an empty line")
            }
            if let first = seen.updateValue(line, forKey: token) {
                throw MINDFormatError(file: path, line: line,
                                      expected: "each token once, found \"\(token)\" again (first on line \(first))")
            }
            tokens.append(token)
        }
        guard tokens.count >= 2 else {
            throw MINDFormatError(file: path, line: tokens.count + 1,
                                  expected: tokens.isEmpty ? "[PAD] on line 1 of a vocabulary, found end of file"
                                                           : "[UNK] on line 2 of a vocabulary, found end of file")
        }
        self.init(tokens: tokens)
    }

    /// Writes `vocab.txt` atomically (one token per line, `\n` endings).
    public func write(to url: URL) throws {
        var text = tokens.joined(separator: "\n")
        text.append("\n")
        try AtomicFileWriter.write(Data(text.utf8), to: url)
    }
}
