import Foundation
import HTTPServer

/// How the service listens and what it guards: address, threads, body limit, bearer token, logs.
public struct ServiceConfiguration: Sendable {
    /// The listen address; loopback unless a token protects the write routes.
    public var host: String
    /// The port (0 picks a free one; `Service.start` returns it).
    public var port: UInt16
    /// libmicrohttpd pool threads (handlers run on them).
    public var threads: Int
    /// The largest request body accepted (413 beyond).
    public var maxBodyBytes: Int
    /// When set, the write routes (`POST /v1/clicks`, `POST /v1/news`) need `Authorization: Bearer <token>`.
    public var token: BearerToken?
    /// Where each answered request is logged (nil: nowhere).
    public var accessLog: AccessLogSink?
    /// Where unexpected handler errors (answered 500 without details) are logged.
    public var errorLog: ErrorLogSink?
    /// Idle keep-alive connections are closed after this long.
    public var connectionTimeout: Duration

    /// The default body limit: 1 MiB.
    public static let defaultMaxBodyBytes = 1 << 20

    public init(host: String = "127.0.0.1", port: UInt16 = 8080, threads: Int = HTTPServer.defaultThreads,
                maxBodyBytes: Int = ServiceConfiguration.defaultMaxBodyBytes, token: BearerToken? = nil,
                accessLog: AccessLogSink? = AccessLog.standardError,
                errorLog: ErrorLogSink? = ServiceConfiguration.standardErrorLog,
                connectionTimeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.threads = threads
        self.maxBodyBytes = maxBodyBytes
        self.token = token
        self.accessLog = accessLog
        self.errorLog = errorLog
        self.connectionTimeout = connectionTimeout
    }

    /// Throws `.unprotectedBind` when `host` is not a loopback address and no token guards the write routes.
    public func validate() throws(ServiceError) {
        if token == nil && !LoopbackAddress.contains(host) { throw .unprotectedBind(host: host) }
    }

    /// Reads the bearer token of the file at `path`: its text without the surrounding whitespace (a trailing
    /// newline is usual).
    /// - Throws: `ServiceError.unusableTokenFile` when the file cannot be read or its text is not a valid token.
    public static func token(fromFile path: String) throws(ServiceError) -> BearerToken {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unusableTokenFile(path: path, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unusableTokenFile(path: path, reason: "is not UTF-8 text")
        }
        do {
            return try BearerToken(text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw .unusableTokenFile(path: path, reason: error.description)
        }
    }

    /// Logs `newsrec serve: 500 on METHOD PATH: error` to standard error, one `write(2)` per line.
    public static let standardErrorLog: ErrorLogSink = { error, request in
        StandardError.writeLine("newsrec serve: 500 on \(request.method) \(request.path): \(error)")
    }
}
