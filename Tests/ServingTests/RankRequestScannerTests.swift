import Foundation
@testable import Serving
import Testing

/// The fast path of `POST /v1/rank` bodies agrees with `JSONDecoder` on every body it accepts.
@Suite("Rank request fast path")
struct RankRequestScannerTests {
    static let plain = [
        #"{"user": "U1", "candidates": ["N1", "N2"], "top": 10}"#,
        #"{"user":"U1","candidates":["N1"]}"#,
        " \t\r\n{ \"top\" : -0 , \"user\" : \"U-1.x:y_z\" , \"candidates\" : [ ] } \n",
        #"{"user": "U1", "candidates": null, "top": null}"#,
        #"{"user": "U1"}"#,
        #"{"user": "", "top": 123456789012345678}"#,
        #"{"user": "U1", "candidates": ["N 1", "a/b", "~"], "top": 3}"#,
    ]
    /// Valid or not, these are left to `JSONDecoder`.
    static let others = [
        #"{"user": "U\u0031"}"#, #"{"us\u0065r": "U1"}"#, #"{"user": "Ü"}"#, #"{"user": "U1", "top": 1.0}"#,
        #"{"user": "U1", "top": 1e1}"#, #"{"user": "U1", "top": 01}"#, #"{"user": "U1", "extra": 1}"#,
        #"{"user": "U1", "user": "U2"}"#, #"{"user": "U1"} x"#, #"{"user": "U1",}"#, #"{"user": "U1""#,
        #"{"user": "U1", "candidates": ["N1",]}"#, #"{"user": "U1", "candidates": [1]}"#, "[]", "", "null",
        #"{"user": "U1", "top": 1234567890123456789}"#, #"{"user": "U1", "top": -}"#, #"{"user": null}"#,
        "{\"user\": \"U\u{01}\"}", #"{"top": 3}"#, #"{"user": "U1", "candidates": nul}"#,
    ]

    @Test("plain bodies decode as JSONDecoder decodes them")
    func plainBodies() throws {
        for body in Self.plain {
            let fast = try #require(RankRequestScanner.decode(Array(body.utf8)), "\(body)")
            #expect(fast == (try JSONDecoder().decode(RankRequest.self, from: Data(body.utf8))), "\(body)")
        }
    }

    @Test("anything else is left to JSONDecoder")
    func otherBodies() {
        for body in Self.others { #expect(RankRequestScanner.decode(Array(body.utf8)) == nil, "\(body)") }
    }
}
