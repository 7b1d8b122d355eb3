import HTTPServer

/// Why the service cannot start: an unsafe configuration, an unusable token file, or a server that did not start.
public enum ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A host other than loopback was asked for without a bearer token: anyone on the network could write.
    case unprotectedBind(host: String)
    /// The token file cannot be read or does not hold a valid bearer token.
    case unusableTokenFile(path: String, reason: String)
    /// The HTTP server did not start (address in use, invalid address, …).
    case server(HTTPServerError)

    public var description: String {
        switch self {
        case let .unprotectedBind(host):
            return "refusing to listen on \(host) without a bearer token: a non-loopback address lets other "
                + "machines write clicks and news; give --token-file FILE (or listen on 127.0.0.1)"
        case let .unusableTokenFile(path, reason):
            return "token file \(path): \(reason)"
        case let .server(error):
            return error.description
        }
    }
}
