import Foundation
import Testing
@testable import MIND

/// The hand-written entity parser is checked against Foundation's `JSONDecoder` (an independent reference)
/// on valid and invalid inputs.
@Suite("Entity JSON parser")
struct EntityJSONTests {
    func parse(_ text: String) -> Result<[Entity], EntityJSONParser.Failure> {
        var text = text
        return text.withUTF8 { bytes in Result { () throws(EntityJSONParser.Failure) in try EntityJSONParser.parse(bytes) } }
    }

    func reference(_ text: String) -> [Entity]? {
        try? JSONDecoder().decode([Entity].self, from: Data(text.utf8))
    }

    static let valid: [String] = [
        "[]",
        " [ ] ",
        #"[{"Label": "Paris", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16], "SurfaceForms": ["Paris"]}]"#,
        #"[{"SurfaceForms":[],"OccurrenceOffsets":[],"Confidence":1,"WikidataId":"","Type":"","Label":""}]"#,
        #"[{"Label": "Caf\u00e9 \"Le\" \\ \/ \t", "Type": "P", "WikidataId": "Q1", "Confidence": 0.5e-1, "OccurrenceOffsets": [0, 12, 120], "SurfaceForms": ["a", "b\nc"]}]"#,
        #"[{"Label": "\ud83c\udf89 東京タワー", "Type": "L", "WikidataId": "Q2", "Confidence": -2.5E+2, "OccurrenceOffsets": [-1], "SurfaceForms": ["\u6771"]}]"#,
        #"[{"Label": "x", "Extra": {"a": [1, true, false, null, "s", {"b": -0.0}]}, "Type": "O", "WikidataId": "Q3", "Confidence": 0, "OccurrenceOffsets": [3], "SurfaceForms": ["x"]}, {"Label": "y", "Type": "O", "WikidataId": "Q4", "Confidence": 0.999, "OccurrenceOffsets": [4], "SurfaceForms": ["y"]}]"#,
        "[{\"Label\":\"a\",\"Type\":\"b\",\"WikidataId\":\"c\",\"Confidence\":1e3,\"OccurrenceOffsets\":[1],\n\r\t\"SurfaceForms\":[\"d\"]}]",
    ]

    static let invalid: [String] = [
        "",
        "[",
        "{}",
        "[{}]",
        "[1]",
        "[] x",
        "[],",
        #"[{"Label": "Paris", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16]"#,
        #"[{"Label": "Paris", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16]}]"#,
        #"[{"Label": "P", "Type": "G", "WikidataId": "Q90", "Confidence": "high", "OccurrenceOffsets": [16], "SurfaceForms": []}]"#,
        #"[{"Label": "P", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [1.5], "SurfaceForms": []}]"#,
        #"[{"Label": null, "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16], "SurfaceForms": []}]"#,
        #"[{"Label": "P", "Type": "G", "WikidataId": "Q90", "Confidence": 01, "OccurrenceOffsets": [16], "SurfaceForms": []}]"#,
        #"[{"Label": "P", "Type": "G", "WikidataId": "Q90", "Confidence": .5, "OccurrenceOffsets": [16], "SurfaceForms": []}]"#,
        #"[{"Label": "P\x", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16], "SurfaceForms": []}]"#,
        #"[{"Label": "\ud83c", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16], "SurfaceForms": []}]"#,
        "[{\"Label\": \"tab\there\", \"Type\": \"G\", \"WikidataId\": \"Q90\", \"Confidence\": 1.0, \"OccurrenceOffsets\": [16], \"SurfaceForms\": []}]",
        #"[{'Label': 'P', 'Type': 'G', 'WikidataId': 'Q90', 'Confidence': 1.0, 'OccurrenceOffsets': [16], 'SurfaceForms': []}]"#,
        #"[{"Label": "P", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16], "SurfaceForms": [], "x": tru}]"#,
    ]

    /// A trailing comma: JSONDecoder tolerates it, RFC 8259 and Python's `json` (MIND's own tooling) do not.
    @Test("rejects a trailing comma in a list")
    func rejectsTrailingComma() {
        let text = #"[{"Label": "P", "Type": "G", "WikidataId": "Q90", "Confidence": 1.0, "OccurrenceOffsets": [16,], "SurfaceForms": []}]"#
        guard case .failure(let failure) = parse(text) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.description == "at byte 94: expected an integer, found ']'")
    }

    @Test("valid lists give the same entities as JSONDecoder", arguments: valid)
    func agreesOnValid(text: String) throws {
        let expected = try #require(reference(text), "JSONDecoder rejects \(text)")
        #expect(try parse(text).get() == expected)
    }

    @Test("invalid lists are rejected, as JSONDecoder rejects them", arguments: invalid)
    func rejectsInvalid(text: String) {
        #expect(reference(text) == nil, "JSONDecoder accepts \(text)")
        if case .success(let entities) = parse(text) {
            Issue.record("accepted \(text) as \(entities)")
        }
    }

    @Test("failures name the byte offset and what was expected")
    func failureMessages() {
        let missing = #"[{"Label": "P", "Type": "G"}]"#
        guard case .failure(let failure) = parse(missing) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.description == "at byte 1: missing key WikidataId, Confidence, OccurrenceOffsets, SurfaceForms")
        guard case .failure(let trailing) = parse("[] x") else {
            Issue.record("accepted")
            return
        }
        #expect(trailing.description == "at byte 3: expected end of text after the list, found 'x'")
    }
}
