import Glibc

/// Recognises host strings that only the local machine can reach.
///
/// The service refuses to listen on anything else without a bearer token, so this errs on the side of "no":
/// only `localhost`, IPv4 `127.0.0.0/8`, IPv6 `::1` and IPv4-mapped `::ffff:127.x.y.z` count.
public enum LoopbackAddress {
    /// Whether `host` (a numeric address, optionally in brackets, or `localhost`) is a loopback address.
    public static func contains(_ host: String) -> Bool {
        var host = host
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if HTTPHeaders.equalIgnoringCase(host, "localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
        return Array(bytes[0..<12]) == mappedPrefix && bytes[12] == 127
    }
}
