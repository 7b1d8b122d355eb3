import Foundation
import Testing
@testable import MIND
import TestSupport

@Suite("Vector files")
struct VectorFileTests {
    @Test("entity_embedding.vec: tab-separated, every row the same dimension")
    func entityVectors() throws {
        let vectors = try EntityVectors(contentsOf: Fixtures.sample("entity_embedding.vec"))
        #expect(vectors.dimension == 4)
        #expect(vectors.count == 4)
        #expect(vectors.table.keys == ["Q90", "Q243", "Q1490", "Q42"])
        #expect(vectors.vector(for: "Q90") == [0.1, -0.2, 0.3, -0.4])
        #expect(vectors.vector(for: "Q1490") == [0, 0, 1e-3, -1e-3])
        #expect(vectors.vector(for: "Q42") == [0.42, 4.2, -42, 42])
        #expect(vectors.vector(for: "Q1") == nil)
        #expect(vectors.table.values.count == 16)
    }

    @Test("relation_embedding.vec uses the same reader")
    func relationVectors() throws {
        let vectors = try EntityVectors(contentsOf: Fixtures.sample("relation_embedding.vec"))
        #expect(vectors.dimension == 4)
        #expect(vectors.vector(for: "P17") == [0, 1, 0, 0.5])
    }

    @Test("GloVe text: space-separated, Unicode words")
    func wordVectors() throws {
        let vectors = try WordVectors(contentsOf: Fixtures.sample("glove.txt"))
        #expect(vectors.dimension == 3)
        #expect(vectors.count == 5)
        #expect(vectors.vector(for: "café") == [1, 2, 3])
        #expect(vectors.vector(for: "東京タワー") == [-1, -2, -3])
        #expect(vectors.vector(for: ".") == [0, 0, 1])
        #expect(vectors.vector(for: "42") == [4.2, 0.42, -42])
        #expect(vectors.vector(for: "Paris") == nil)
    }

    @Test("a ragged row is an error naming its line; skip mode keeps the other rows")
    func raggedRows() throws {
        let entities = Fixtures.bad("entity_embedding_ragged.vec")
        #expect(throws: MINDFormatError(file: entities.path, line: 2, expected:
            "4 tab-separated numbers after the WikiData id (the dimension of the first row), found 3")) {
            try EntityVectors(contentsOf: entities)
        }
        var skipped: [Int] = []
        let kept = try EntityVectors(contentsOf: entities) { skipped.append($0.line) }
        #expect(skipped == [2])
        #expect(kept.table.keys == ["Q90", "Q42"])
        #expect(kept.vector(for: "Q42") == [0.42, 4.2, -42, 42])

        let words = Fixtures.bad("glove_ragged.txt")
        #expect(throws: MINDFormatError(file: words.path, line: 3, expected:
            "3 space-separated numbers after the word (the dimension of the first row), found 2")) {
            try WordVectors(contentsOf: words)
        }
    }

    @Test("GloVe words may contain spaces: the last d fields are the vector, the rest is the word")
    func wordsWithSpaces() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("glove.txt")
        try "a 0.5 1 2\nat home 0.25 -1 3\n. . . 1 1 1\nshort 1 2\n".write(to: url, atomically: false, encoding: .utf8)
        #expect(throws: MINDFormatError(file: url.path, line: 4, expected:
            "3 space-separated numbers after the word (the dimension of the first row), found 2")) {
            try WordVectors(contentsOf: url)
        }
        let vectors = try WordVectors(contentsOf: url) { _ in }
        #expect(vectors.table.keys == ["a", "at home", ". . ."])
        #expect(vectors.vector(for: "at home") == [0.25, -1, 3])
        #expect(vectors.vector(for: ". . .") == [1, 1, 1])
    }

    @Test("a value that is not a number is an error naming line and field")
    func badNumber() throws {
        let url = Fixtures.bad("glove_number.txt")
        #expect(throws: MINDFormatError(file: url.path, line: 2, expected: "a finite number in field 3, found \"two\"")) {
            try WordVectors(contentsOf: url)
        }
    }

    @Test("trailing separators, CRLF, repeated keys, infinities and empty files")
    func edgeCases() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ text: String, _ name: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url
        }
        let trailing = try write("Q1\t1\t2\t\r\nQ2\t3\t4\r\n", "trailing.vec")
        let vectors = try EntityVectors(contentsOf: trailing)
        #expect(vectors.dimension == 2)
        #expect(vectors.vector(for: "Q1") == [1, 2] && vectors.vector(for: "Q2") == [3, 4])

        let repeated = try write("a 1\nb 2\na 3\n", "repeated.txt")
        #expect(throws: MINDFormatError(file: repeated.path, line: 3,
                                        expected: "each word once, found \"a\" again (first in row 1)")) {
            try WordVectors(contentsOf: repeated)
        }
        let infinite = try write("a 1\nb 1e40\n", "infinite.txt")
        #expect(throws: MINDFormatError(file: infinite.path, line: 2, expected: "a finite number in field 2, found \"1e40\"")) {
            try WordVectors(contentsOf: infinite)
        }
        let noNumbers = try write("Q1\n", "nonumbers.vec")
        #expect(throws: MINDFormatError(file: noNumbers.path, line: 1,
                                        expected: "a WikiData id followed by tab-separated numbers, found no numbers")) {
            try EntityVectors(contentsOf: noNumbers)
        }
        let empty = try write("", "empty.txt")
        #expect(throws: MINDFormatError(file: empty.path, line: 0, expected: "at least one word with its vector, found none")) {
            try WordVectors(contentsOf: empty)
        }
    }
}
