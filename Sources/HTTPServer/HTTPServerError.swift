import Glibc

/// Why the server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `host` is not a numeric IPv4/IPv6 address or `localhost`.
    case invalidAddress(host: String, reason: String)
    /// Another socket already listens on `host:port`.
    case addressInUse(host: String, port: UInt16)
    /// `host` is not an address of this machine.
    case addressNotAvailable(host: String, port: UInt16)
    /// Binding `host:port` needs privileges this process lacks (ports below 1024).
    case permissionDenied(host: String, port: UInt16)
    /// A socket call failed for another reason.
    case socketFailed(operation: String, errno: Int32)
    /// A `start` argument is out of range.
    case invalidConfiguration(String)
    /// `start` was called on a server that is already running.
    case alreadyRunning
    /// libmicrohttpd refused to start the daemon.
    case daemonStartFailed(String)

    public var description: String {
        switch self {
        case .invalidAddress(let host, let reason): "invalid listen address '\(host)': \(reason)"
        case .addressInUse(let host, let port):
            "cannot listen on \(Self.endpoint(host, port)): address already in use (another server is running there?)"
        case .addressNotAvailable(let host, let port):
            "cannot listen on \(Self.endpoint(host, port)): not an address of this machine"
        case .permissionDenied(let host, let port):
            "cannot listen on \(Self.endpoint(host, port)): permission denied (ports below 1024 need privileges)"
        case .socketFailed(let operation, let code):
            "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .invalidConfiguration(let message): "invalid server configuration: \(message)"
        case .alreadyRunning: "the server is already running"
        case .daemonStartFailed(let message): "libmicrohttpd did not start: \(message)"
        }
    }

    static func endpoint(_ host: String, _ port: UInt16) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
