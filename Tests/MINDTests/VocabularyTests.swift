import Foundation
import Testing
@testable import MIND
import TestSupport

@Suite("Vocabulary")
struct VocabularyTests {
    @Test("built from titles: [PAD], [UNK], then words in order of first appearance")
    func buildsInOrder() {
        let vocabulary = Vocabulary(buildingFrom: ["Café culture in Paris", "Paris, in the rain!", "CAFÉ"])
        #expect(vocabulary.tokens == ["[PAD]", "[UNK]", "café", "culture", "in", "paris", ",", "the", "rain", "!"])
        #expect(vocabulary.count == 10)
        #expect(vocabulary.id(of: "paris") == 5)
        #expect(vocabulary.id(of: "Paris") == Vocabulary.unknownID)
        #expect(vocabulary.id(of: "london") == Vocabulary.unknownID)
        #expect(vocabulary.token(at: Vocabulary.padID) == "[PAD]")
        #expect(vocabulary.token(at: 7) == "the")
    }

    @Test("encode tokenizes, maps unknown words to [UNK] and cuts to length without padding")
    func encodes() {
        let vocabulary = Vocabulary(buildingFrom: ["Café culture in Paris"])
        #expect(vocabulary.encode("Paris café in London", length: 10) == [5, 2, 4, 1])
        #expect(vocabulary.encode("Paris café in London", length: 2) == [5, 2])
        #expect(vocabulary.encode("Paris café", length: 0) == [])
        #expect(vocabulary.encode("", length: 5) == [])
    }

    @Test("vocab.txt round trip")
    func roundTrip() throws {
        let vocabulary = Vocabulary(buildingFrom: try NewsReader(url: Fixtures.sample("news.tsv")).readAll().map(\.title))
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("vocab.txt")
        try vocabulary.write(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasPrefix("[PAD]\n[UNK]\ncafé\nculture\nin\nparis\na\nguide\ntokyo\ns\n東京タワー\n"))
        let reread = try Vocabulary(contentsOf: url)
        #expect(reread == vocabulary)
        #expect(reread.id(of: "東京タワー") == 10)
    }

    @Test("reads the sample vocab.txt")
    func readsSample() throws {
        let vocabulary = try Vocabulary(contentsOf: Fixtures.sample("vocab.txt"))
        #expect(vocabulary.tokens == ["[PAD]", "[UNK]", "café", "culture", "in", "paris"])
        #expect(vocabulary.encode("Café culture in Paris: a guide", length: 30) == [2, 3, 4, 5, 1, 1])
    }

    @Test("a vocab.txt not starting with [PAD], [UNK] is an error naming the line")
    func rejectsWrongHeader() throws {
        let url = Fixtures.bad("vocab_order.txt")
        #expect(throws: MINDFormatError(file: url.path, line: 1,
                                        expected: "[PAD] on line 1 of a vocabulary, found \"[UNK]\"")) {
            try Vocabulary(contentsOf: url)
        }
        let directory = try TemporaryDirectory().url
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, Int, String)] = [
            ("[PAD]\nthe\n", 2, "[UNK] on line 2 of a vocabulary, found \"the\""),
            ("[PAD]\n", 2, "[UNK] on line 2 of a vocabulary, found end of file"),
            ("[PAD]\n[UNK]\nthe\nthe\n", 4, "each token once, found \"the\" again (first on line 3)"),
            ("[PAD]\n[UNK]\nthe\n\na\n", 4, "one token per line, found an empty line"),
        ]
        for (index, (text, line, expected)) in cases.enumerated() {
            let url = directory.appendingPathComponent("vocab\(index).txt")
            try Data(text.utf8).write(to: url)
            #expect(throws: MINDFormatError(file: url.path, line: line, expected: expected)) {
                try Vocabulary(contentsOf: url)
            }
        }
    }
}
