import Testing
@testable import HTTPServer

@Suite("BearerToken and LoopbackAddress")
struct BearerTokenTests {
    @Test func parsesAuthorizationHeader() {
        #expect(BearerToken.presented(in: "Bearer abc.DEF-1") == "abc.DEF-1")
        #expect(BearerToken.presented(in: "  bearer   xyz  ") == "xyz")
        #expect(BearerToken.presented(in: "Basic dXNlcjpwdw==") == nil)
        #expect(BearerToken.presented(in: "Bearer ") == nil)
        #expect(BearerToken.presented(in: nil) == nil)
    }

    @Test func comparesWholeTokens() throws {
        let token = try BearerToken("s3cret-token")
        #expect(token.matches("s3cret-token"))
        #expect(!token.matches("s3cret-tokem"))
        #expect(!token.matches("s3cret-token-and-more"))
        #expect(!token.matches("s3cret"))
        #expect(!token.matches(""))
        #expect(token.description == "BearerToken(12 characters)")
    }

    @Test func authorizesRequests() throws {
        let token = try BearerToken("t0k")
        #expect(token.authorizes(HTTPRequest(method: .get, path: "/", headers: ["authorization": "Bearer t0k"])))
        #expect(!token.authorizes(HTTPRequest(method: .get, path: "/", headers: ["Authorization": "Bearer t0"])))
        #expect(throws: BearerToken.challenge) { try token.check(HTTPRequest(method: .get, path: "/")) }
    }

    @Test func rejectsUnusableTokens() {
        #expect(throws: BearerTokenError.empty) { try BearerToken("") }
        #expect(throws: BearerTokenError.invalidCharacter(offset: 3)) { try BearerToken("abc def") }
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"])
    func loopback(_ host: String) {
        #expect(LoopbackAddress.contains(host))
    }

    @Test(arguments: ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "::2", "example.com", "", "localhost.evil.com"])
    func notLoopback(_ host: String) {
        #expect(!LoopbackAddress.contains(host))
    }
}
