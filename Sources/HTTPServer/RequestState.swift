import Dispatch

/// What the server keeps about one request between libmicrohttpd's calls of the access handler.
///
/// Owned through `*con_cls` (retained when the first call creates it, released in the completed callback).
/// Never shared between threads: libmicrohttpd calls back for a given connection on one pool thread only.
final class RequestState {
    let method: HTTPMethod
    /// The raw (percent-encoded) path, without the query.
    let path: String
    /// Monotonic time of the first call (headers parsed).
    let startedNanoseconds: UInt64
    /// The body received so far (emptied once the limit is passed).
    var body: [UInt8] = []
    /// Every body byte the client sent, kept or not.
    var receivedBytes = 0
    /// The body passed the limit; the rest is read and discarded, then 413 is answered.
    var tooLarge = false

    init(method: HTTPMethod, path: String) {
        self.method = method
        self.path = path
        self.startedNanoseconds = DispatchTime.now().uptimeNanoseconds
    }

    /// Seconds since the first call.
    var elapsedSeconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds &- startedNanoseconds) / 1e9
    }
}
