import CMicroHTTPD

/// Reads what libmicrohttpd parsed about the current request of a connection.
enum ConnectionValues {
    /// The request headers, in order.
    static func headers(of connection: OpaquePointer) -> HTTPHeaders {
        HTTPHeaders(pairs(of: connection, kind: MHD_ValueKind.HEADER_KIND).map { (name: $0.0, value: $0.1) })
    }

    /// The query parameters. libmicrohttpd has already turned `+` into spaces; the server's no-op unescape callback
    /// left `%XX` alone, so it is decoded here.
    static func query(of connection: OpaquePointer) -> QueryParameters {
        QueryParameters(pairs(of: connection, kind: MHD_ValueKind.GET_ARGUMENT_KIND).map {
            (name: PercentDecoding.decode($0.0), value: PercentDecoding.decode($0.1))
        })
    }

    /// The peer's numeric IP address.
    static func remoteAddress(of connection: OpaquePointer) -> String? {
        guard let address = newsrec_mhd_client_address(connection) else { return nil }
        return ListeningSocket.numericHost(of: address)
    }

    private static func pairs(of connection: OpaquePointer, kind: MHD_ValueKind) -> [(String, String)] {
        var collected: [(String, String)] = []
        withUnsafeMutablePointer(to: &collected) { pointer in
            _ = MHD_get_connection_values(connection, kind, { cls, _, key, value in
                guard let cls, let key else { return MHD_Result.YES }
                let list = cls.assumingMemoryBound(to: [(String, String)].self)
                list.pointee.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
                return MHD_Result.YES
            }, pointer)
        }
        return collected
    }
}
