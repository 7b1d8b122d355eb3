import Basics
import HTTPServer
import MIND

/// Checks the ids a request carries before they reach the store (where they are only ever bound parameters):
/// malformed ids are a 400 naming them, well-formed ids the store does not hold a 422 naming them.
enum RequestIDs {
    /// Ids shown in one message, at most.
    static let shownLimit = 10

    /// `text` as a user id.
    /// - Throws: 400 naming `field` and the id unless it follows the user-id rule.
    static func user(_ text: String, field: String) throws(HTTPError) -> UserID {
        guard UserID.isValid(text) else {
            throw .badRequest("\(field) \(quoted(text)) is not a valid user id (\(UserID.rule))")
        }
        return UserID(text)
    }

    /// `texts` as news ids.
    /// - Throws: 400 naming `field` and every malformed id (the first ten).
    static func news(_ texts: [String], field: String) throws(HTTPError) -> [NewsID] {
        let invalid = texts.filter { !NewsID.isValid($0) }
        guard invalid.isEmpty else {
            throw .badRequest("\(field) has \(invalid.count == 1 ? "an invalid news id" : "invalid news ids"): "
                              + list(invalid.map(quoted)) + " (a news id is 1 to 64 characters from A-Z a-z 0-9 _ . :)")
        }
        return texts.map { NewsID($0) }
    }

    /// The 422 for well-formed news ids the store does not hold.
    static func unknownNews(_ ids: [NewsID], field: String, consequence: String = "") -> HTTPError {
        HTTPError(.unprocessableContent, "\(field) names news the store does not hold: "
                  + list(ids.map(\.rawValue)) + consequence)
    }

    /// `a, b, c` for at most `shownLimit` items, then `and N more`.
    static func list(_ items: [String]) -> String {
        items.prefix(shownLimit).joined(separator: ", ")
            + (items.count > shownLimit ? " and \(items.count - shownLimit) more" : "")
    }

    /// The text in double quotes with JSON escapes, so control characters in an id show as such.
    static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
