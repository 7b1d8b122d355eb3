import Basics
import Foundation
import Glibc
@testable import HTTPServer
import TestSupport

/// One request on a fresh connection.
func request(_ method: String, _ target: String, port: UInt16, body: [UInt8] = [],
             headers: [String: String] = [:]) throws -> RawResponse {
    let connection = try RawConnection(port: port)
    try connection.sendRequest(method, target, body: body, headers: headers)
    return try connection.readResponse(head: method == "HEAD")
}

/// Runs `body` against a started server and stops it afterwards.
func withServer<T>(_ router: Router, threads: Int = 2, maxBodyBytes: Int = 1 << 20,
                   connectionTimeout: Duration = .seconds(30), metrics: MetricsRegistry = MetricsRegistry(),
                   accessLog: AccessLogSink? = nil, errorLog: ErrorLogSink? = nil,
                   _ body: (HTTPServer, UInt16) throws -> T) throws -> T {
    let server = HTTPServer(router: router, metrics: metrics, accessLog: accessLog, errorLog: errorLog)
    let port = try server.start(threads: threads, maxBodyBytes: maxBodyBytes, connectionTimeout: connectionTimeout)
    defer { server.stop(timeout: .seconds(2)) }
    return try body(server, port)
}

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).inSeconds
}
