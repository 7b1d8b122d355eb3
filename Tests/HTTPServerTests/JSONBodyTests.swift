import Foundation
import Testing
@testable import HTTPServer

@Suite("JSON bodies")
struct JSONBodyTests {
    struct Click: Decodable {
        struct Item: Decodable { var id: String; var weight: Double }
        var user: String
        var limit: Int
        var items: [Item]
    }

    private func decode(_ json: String) -> HTTPError? {
        do {
            _ = try HTTPRequest(method: .post, path: "/", body: Array(json.utf8)).decodeJSON(Click.self)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesValidBodies() throws {
        let request = HTTPRequest(method: .post, path: "/", body: Array(#"{"user":"U1","limit":3,"items":[]}"#.utf8))
        let click = try request.decodeJSON(Click.self)
        #expect(click.user == "U1" && click.limit == 3)
    }

    @Test func malformedJSON() throws {
        let error = try #require(decode(#"{"user": "U1",,}"#))
        #expect(error.status == .badRequest)
        #expect(error.message == "request body is not valid JSON: Invalid value around character 14.")
    }

    @Test func numberThatDoesNotFit() throws {
        let error = try #require(decode(#"{"user":"U1","limit":1.5,"items":[]}"#))
        #expect(error.message.hasPrefix("request body has a number that does not fit its field"))
    }

    @Test func emptyBody() throws {
        #expect(try #require(decode("")).message == "request body is empty; expected JSON")
    }

    @Test func missingField() throws {
        #expect(try #require(decode(#"{"user":"U1","items":[]}"#)).message == "missing field 'limit'")
    }

    @Test func wrongTypeNamesNestedField() throws {
        let error = try #require(decode(#"{"user":"U1","limit":3,"items":[{"id":"N1","weight":1},{"id":"N2","weight":"x"}]}"#))
        #expect(error.message == "field 'items[1].weight' must be a number")
        #expect(try #require(decode(#"{"user":"U1","limit":"3","items":[]}"#)).message == "field 'limit' must be an integer")
    }

    @Test func nullAndWrongTopLevel() throws {
        #expect(try #require(decode(#"{"user":null,"limit":3,"items":[]}"#)).message == "field 'user' must be a string, got null")
        #expect(try #require(decode("[1,2]")).message == "request body must be an object")
    }
}
