/// A shared secret that clients present as `Authorization: Bearer <token>`.
///
/// Comparison takes time independent of where the presented token first differs, so the secret cannot be
/// guessed byte by byte from response times.
public struct BearerToken: Sendable, CustomStringConvertible {
    private let secret: [UInt8]

    /// Wraps a token; it must be non-empty and contain only the visible ASCII characters RFC 6750 allows
    /// (letters, digits, `-._~+/` and trailing `=`), so it can travel in a header unchanged.
    /// - Throws: `BearerTokenError` naming the problem.
    public init(_ token: String) throws(BearerTokenError) {
        guard !token.isEmpty else { throw .empty }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=".utf8)
        if let bad = token.utf8.firstIndex(where: { !allowed.contains($0) }) {
            throw .invalidCharacter(offset: token.utf8.distance(from: token.utf8.startIndex, to: bad))
        }
        secret = Array(token.utf8)
    }

    /// Never prints the secret.
    public var description: String { "BearerToken(\(secret.count) characters)" }

    /// The token of an `Authorization` header value of the form `Bearer <token>` (scheme matched ignoring case,
    /// surrounding spaces ignored), or nil for a missing header or another scheme.
    public static func presented(in authorization: String?) -> String? {
        guard let authorization else { return nil }
        let trimmed = authorization.trimmingASCIISpaces()
        let scheme = "bearer "
        guard trimmed.utf8.count > scheme.utf8.count,
              HTTPHeaders.equalIgnoringCase(String(trimmed.prefix(scheme.count)), scheme) else { return nil }
        let token = String(trimmed.dropFirst(scheme.count)).trimmingASCIISpaces()
        return token.isEmpty ? nil : token
    }

    /// Whether `candidate` equals the secret, in time that depends only on the lengths involved.
    public func matches(_ candidate: String) -> Bool {
        let presented = Array(candidate.utf8)
        var difference = UInt8(presented.count == secret.count ? 0 : 1)
        let length = max(presented.count, secret.count)
        for index in 0..<length {
            let a = index < presented.count ? presented[index] : 0
            let b = index < secret.count ? secret[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }

    /// Whether `request` carries this token in its `Authorization` header.
    public func authorizes(_ request: HTTPRequest) -> Bool {
        guard let presented = BearerToken.presented(in: request.headers["Authorization"]) else { return false }
        return matches(presented)
    }

    /// Throws the 401 answer (with `WWW-Authenticate: Bearer`) unless `request` carries this token; for handlers
    /// that check tokens themselves instead of through `Router.requiredToken`.
    public func check(_ request: HTTPRequest) throws(HTTPError) {
        guard authorizes(request) else { throw BearerToken.challenge }
    }

    /// The error answered to requests without the right token.
    public static let challenge = HTTPError(.unauthorized, "missing or invalid bearer token",
                                            headers: ["WWW-Authenticate": "Bearer"])
}

/// Why a string cannot be a bearer token.
public enum BearerTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case invalidCharacter(offset: Int)

    public var description: String {
        switch self {
        case .empty: "bearer token is empty"
        case .invalidCharacter(let offset):
            "bearer token has a character at byte \(offset) outside A-Z a-z 0-9 - . _ ~ + / ="
        }
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
