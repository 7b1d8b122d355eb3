import Foundation
import Testing
import TestSupport
@testable import MIND

@Suite("Word vectors kept for a vocabulary")
struct KeptWordVectorsTests {
    @Test("keeps the wanted rows in file order: words with spaces, CRLF, exponents; reports the coverage")
    func keepsWantedRows() throws {
        let wanted: Set = ["the", "at home", ". . .", "naïve", "café", "paris", "london", "zebra"]
        let vectors = try WordVectors(contentsOf: Fixtures.sample("glove_stream.txt"), keeping: wanted)
        #expect(vectors.dimension == 3)
        #expect(vectors.table.keys == ["the", "at home", ". . .", "naïve", "café", "paris"])
        #expect(vectors.vector(for: "the") == [0.1, -0.2, 0.3], "the first row of a word wins")
        #expect(vectors.vector(for: "at home") == [0.25, -1, 3])
        #expect(vectors.vector(for: ". . .") == [1, 1, 1])
        #expect(vectors.vector(for: "naïve") == [0.04, -15, 7])
        #expect(vectors.vector(for: "café") == [0.5, 0.5, 0.5])
        let paris = try #require(vectors.vector(for: "paris"))
        #expect(paris[0] == 0.123456789 && paris[1] == 1e-30)
        #expect(paris[2] == 0 && paris[2].sign == .minus)
        #expect(vectors.coverage == WordVectorCoverage(
            wanted: 8, found: 6, missingExamples: ["london", "zebra"], rows: 8, skippedRows: 0, undecodableRows: 0,
            repeatedRows: 2))
        #expect(vectors.coverage?.description == "found 6 of 8 words (75.0%), 2 missing (e.g. \"london\", "
            + "\"zebra\"); 8 rows read, 2 repeated rows of wanted words ignored")
    }

    @Test("a malformed wanted row is an error naming its line; unwanted rows are only checked structurally")
    func malformedRows() throws {
        let url = Fixtures.bad("glove_stream.txt")
        let wanted: Set = ["the", "cat", "mouse"]
        #expect(throws: MINDFormatError(file: url.path, line: 3, expected: "a finite number in field 3, found \"two\"")) {
            try WordVectors(contentsOf: url, keeping: wanted)
        }
        var errors: [MINDFormatError] = []
        let vectors = try WordVectors(contentsOf: url, keeping: wanted) { errors.append($0) }
        #expect(vectors.table.keys == ["the"])
        #expect(errors.map(\.line) == [3, 4, 5, 7, 8], "line 2 (dog, unwanted) has a bad number: not parsed")
        #expect(errors.map(\.expected) == [
            "a finite number in field 3, found \"two\"",
            "3 space-separated numbers after the word (the dimension of the first row), found 2",
            "3 numbers after the word, separated by single spaces, found an empty field after byte 8",
            "a word before the 3 numbers, found none",
            "a finite number in field 4, found \"inf\"",
        ])
        #expect(vectors.coverage == WordVectorCoverage(
            wanted: 3, found: 1, missingExamples: ["cat", "mouse"], rows: 8, skippedRows: 5, undecodableRows: 1,
            repeatedRows: 0))
    }

    @Test("the dimension comes from the first row unless given (a first word with a space needs it)")
    func givenDimension() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("glove.txt")
        try Data("at home 1 2 3\nthe 4 5 6 \n\nend 7 8 9".utf8).write(to: url)
        let words: Set = ["at home", "the", "end"]
        let vectors = try WordVectors(contentsOf: url, keeping: words, dimension: 3)
        #expect(vectors.table.keys == ["at home", "the", "end"])
        #expect(vectors.vector(for: "the") == [4, 5, 6] && vectors.vector(for: "end") == [7, 8, 9])
        #expect(vectors.coverage?.rows == 3)
        #expect(throws: MINDFormatError(file: url.path, line: 2, expected:
            "4 space-separated numbers after the word (the dimension of the first row), found 3")) {
            try WordVectors(contentsOf: url, keeping: words)
        }
    }

    @Test("no wanted word is an empty table; no row at all is an error")
    func emptyResults() throws {
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = try WordVectors(contentsOf: Fixtures.sample("glove.txt"), keeping: ["zebra"])
        #expect(vectors.count == 0 && vectors.dimension == 3)
        #expect(vectors.coverage?.found == 0 && vectors.coverage?.missingExamples == ["zebra"])
        let empty = directory.appendingPathComponent("empty.txt")
        try Data("\n\n".utf8).write(to: empty)
        #expect(throws: MINDFormatError(file: empty.path, line: 0, expected: "at least one word with its vector, found none")) {
            try WordVectors(contentsOf: empty, keeping: ["the"])
        }
    }

    @Test("the same vectors as the full reader for the words it keeps")
    func agreesWithFullReader() throws {
        let full = try WordVectors(contentsOf: Fixtures.sample("glove.txt"))
        let kept = try WordVectors(contentsOf: Fixtures.sample("glove.txt"), keeping: Set(full.table.keys))
        #expect(kept.table.keys == full.table.keys)
        #expect(kept.table.values == full.table.values)
        #expect(full.coverage == nil)
    }

    @Test("the fast decimal path rounds exactly like strtof")
    func decimalsMatchStrtof() {
        var generator = SystemRandomNumberGenerator()
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
        }
        var texts = ["0", "-0", ".5", "5.", "1e10", "1e-10", "9999999", "16777217", "0.1", "3.4028235e38", "1e-45",
                     ".", "-", "e5", "1e", "1e+", "1.2.3", "--1", "1e100", "0x1p3", " 1", "nan", "1e5x"]
        for _ in 0..<20_000 {
            var text = Bool.random(using: &generator) ? "-" : ""
            text += digits(Int.random(in: 0...8, using: &generator))
            if Bool.random(using: &generator) { text += "." + digits(Int.random(in: 0...9, using: &generator)) }
            if Int.random(in: 0..<4, using: &generator) == 0 {
                text += ["e", "E"].randomElement(using: &generator)! + ["", "+", "-"].randomElement(using: &generator)!
                    + String(Int.random(in: 0...14, using: &generator))
            }
            texts.append(text)
        }
        var scratch: [CChar] = []
        for text in texts {
            let bytes = Array(text.utf8)
            let parsed = bytes.withUnsafeBufferPointer { DecimalFloat.parse($0, 0..<$0.count, scratch: &scratch) }
            var end: UnsafeMutablePointer<CChar>? = nil
            let reference = text.withCString { start in
                let value = strtof(start, &end)
                return end == UnsafeMutablePointer(mutating: start) + bytes.count && bytes.first.map { $0 > 0x20 } == true
                    ? value : nil
            }
            #expect(parsed?.bitPattern == reference?.bitPattern, "\(text)")
        }
    }

    @Test("counting a byte 8 at a time agrees with counting one at a time, at every alignment")
    func occurrences() {
        var generator = SystemRandomNumberGenerator()
        var inputs: [[UInt8]] = []
        // Every pair of adjacent spaces, inside an 8-byte step and across two, and lone spaces.
        for length in 2..<40 {
            for position in 0..<length - 1 {
                var pair = [UInt8](repeating: 0x78, count: length)
                pair[position] = Bytes.space
                pair[position + 1] = Bytes.space
                var lone = [UInt8](repeating: 0x78, count: length)
                lone[position] = Bytes.space
                inputs += [pair, lone]
            }
        }
        for _ in 0..<2000 {
            let spaceShare = [0.5, 0.05, 0.01].randomElement(using: &generator)!
            inputs.append((0..<Int.random(in: 0..<300, using: &generator)).map { _ in
                Double.random(in: 0..<1, using: &generator) < spaceShare
                    ? Bytes.space : UInt8.random(in: 0x1F...0x21, using: &generator)
            })
        }
        for bytes in inputs {
            let start = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
            let range = start..<bytes.count
            let expected = (count: range.filter { bytes[$0] == Bytes.space }.count,
                            adjacent: range.dropLast().contains { bytes[$0] == Bytes.space && bytes[$0 + 1] == Bytes.space })
            let found = bytes.withUnsafeBufferPointer { Bytes.occurrences(of: Bytes.space, in: $0, range) }
            #expect(found.count == expected.count && found.adjacent == expected.adjacent, "\(bytes) \(range)")
        }
    }
}
