import Foundation
import Glibc
import TestSupport

/// A `newsrec serve` process of the test build on the store and checkpoint of a `ServedStore`, on a free port.
final class ServeProcess: @unchecked Sendable {
    let process: Process
    /// The port the process printed on start.
    let port: UInt16
    /// Its standard error (progress lines and the access log).
    let errors: URL
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `newsrec serve --port 0` with `arguments` added, and waits (at most 60 s) for its listening line.
    init(_ served: ServedStore, _ arguments: [String] = []) throws {
        let name = UUID().uuidString
        let output = try served.folder.file("serve-\(name).out", "")
        errors = try served.folder.file("serve-\(name).err", "")
        let exited = self.exited
        process = try ProcessRun.start(
            try BuiltProducts.executable("newsrec"),
            ["serve", "--db", served.storePath, "--model", served.checkpoint.path, "--port", "0", "--threads", "2"]
                + arguments,
            output: output, errors: errors) { _ in exited.signal() }
        var found: UInt16?
        let deadline = Date().addingTimeInterval(60)
        while found == nil && Date() < deadline && process.isRunning {
            found = Self.port(in: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw TestClientError(description: "newsrec serve did not start: \(log)")
        }
        port = found
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The port of the line `newsrec serve: listening on http://127.0.0.1:PORT …`.
    static func port(in text: String) -> UInt16? {
        guard let range = text.range(of: "listening on http://127.0.0.1:") else { return nil }
        return UInt16(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Everything the process wrote to standard error so far.
    var stderrText: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// The exit status once the process has ended, or nil when it runs `timeout` seconds longer.
    func waitForExit(timeout: Double) -> Int32? {
        guard exited.wait(timeout: .now() + timeout) == .success else { return nil }
        exited.signal()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
