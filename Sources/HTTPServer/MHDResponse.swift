import CMicroHTTPD

/// Hands an `HTTPResponse` to libmicrohttpd.
enum MHDResponse {
    /// Copies the body into a libmicrohttpd response, adds the headers and queues it on `connection`.
    ///
    /// A header libmicrohttpd rejects (CR/LF in it, or a `Content-Length`, which it computes itself) is dropped.
    /// A status outside 100...999 is sent as 500; a failed allocation closes the connection.
    static func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        var body = response.body
        let created = body.withUnsafeMutableBytes {
            MHD_create_response_from_buffer($0.count, $0.baseAddress, MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
        }
        guard let mhdResponse = created else { return MHD_Result.NO }
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers {
            _ = MHD_add_response_header(mhdResponse, name, value)
        }
        let code = (100...999).contains(response.status.code) ? response.status.code : 500
        return MHD_queue_response(connection, UInt32(code), mhdResponse)
    }
}
