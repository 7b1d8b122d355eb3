import Glibc

/// A numeric IPv4 or IPv6 socket address to listen on.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    /// The host as given (brackets removed), for messages.
    var host: String
    var port: UInt16

    var family: Int32 { Int32(storage.ss_family) }

    /// Parses `host` (`127.0.0.1`, `::1`, `[::1]`, `0.0.0.0`, `::`, `fe80::1%eth0`, or `localhost` = 127.0.0.1).
    /// Names other than `localhost` are refused: a server should listen on an address chosen on purpose, not on
    /// whatever a resolver returns first.
    init(host: String, port: UInt16) throws(HTTPServerError) {
        var numeric = host
        if numeric.hasPrefix("[") && numeric.hasSuffix("]") { numeric = String(numeric.dropFirst().dropLast()) }
        if HTTPHeaders.equalIgnoringCase(numeric, "localhost") { numeric = "127.0.0.1" }
        guard !numeric.isEmpty else { throw .invalidAddress(host: host, reason: "empty host") }
        self.host = numeric
        self.port = port
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(numeric, String(port), &hints, &result)
        guard status == 0, let first = result else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw .invalidAddress(host: host, reason: "\(reason) (expected a numeric IPv4 or IPv6 address or localhost)")
        }
        defer { freeaddrinfo(result) }
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr,
                                                          count: Int(first.pointee.ai_addrlen)))
        }
        length = first.pointee.ai_addrlen
    }

    /// Whether this is the unspecified address (`0.0.0.0` or `::`).
    var isUnspecified: Bool { host == "0.0.0.0" || host == "::" }
}

/// Creates the listening socket the daemon is given, so bind failures surface as precise Swift errors instead of a
/// NULL from `MHD_start_daemon`.
enum ListeningSocket {
    /// A bound, listening, close-on-exec TCP socket for `address`.
    static func open(_ address: SocketAddress, backlog: Int32) throws(HTTPServerError) -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socketFailed(operation: "socket", errno: errno) }
        do throws(HTTPServerError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, name: "SO_REUSEADDR")
            if address.family == AF_INET6 {
                // A specific IPv6 address serves IPv6 only; "::" also takes IPv4 (dual stack).
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, address.isUnspecified ? 0 : 1, name: "IPV6_V6ONLY")
            }
            var storage = address.storage
            let bound = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
            }
            guard bound == 0 else { throw bindError(errno, address) }
            guard listen(fd, backlog) == 0 else { throw HTTPServerError.socketFailed(operation: "listen", errno: errno) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32,
                                  name: String) throws(HTTPServerError) {
        var value = value
        guard setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .socketFailed(operation: "setsockopt(\(name))", errno: errno)
        }
    }

    private static func bindError(_ code: Int32, _ address: SocketAddress) -> HTTPServerError {
        switch code {
        case EADDRINUSE: .addressInUse(host: address.host, port: address.port)
        case EADDRNOTAVAIL: .addressNotAvailable(host: address.host, port: address.port)
        case EACCES: .permissionDenied(host: address.host, port: address.port)
        default: .socketFailed(operation: "bind to \(HTTPServerError.endpoint(address.host, address.port))", errno: code)
        }
    }

    /// The numeric address of a peer, e.g. `127.0.0.1` or `::1` (nil for other families).
    static func numericHost(of address: UnsafePointer<sockaddr>) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = Int32(address.pointee.sa_family)
        let converted: UnsafePointer<CChar>?
        switch family {
        case AF_INET:
            converted = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
            }
        case AF_INET6:
            converted = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                return inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
            }
        default:
            return nil
        }
        guard converted != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
