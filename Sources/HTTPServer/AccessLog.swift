import Basics
import Foundation
import Glibc

/// One access-log record: what was asked, what was answered, how long it took.
///
/// `path` excludes the query string on purpose: queries may carry identifiers or tokens that do not belong in logs.
public struct AccessLogEntry: Sendable, Codable, Equatable {
    /// When the response was queued, ISO 8601 UTC with milliseconds (`2026-12-01T08:17:50.123Z`).
    public var time: String
    /// The request method.
    public var method: String
    /// The request path, percent-encoded as received, without the query string.
    public var path: String
    /// The response status code.
    public var status: Int
    /// The response body bytes sent (0 for HEAD).
    public var bytes: Int
    /// Milliseconds from the request headers being parsed to the response being queued.
    public var durationMs: Double
    /// The peer IP address, or `-` when unknown.
    public var remote: String

    enum CodingKeys: String, CodingKey {
        case time, method, path, status, bytes
        case durationMs = "duration_ms"
        case remote
    }

    /// The entry as one line of JSON (no trailing newline), keys in a fixed order.
    public var jsonLine: String {
        "{\"time\":\(JSONText.quoted(time)),\"method\":\(JSONText.quoted(method)),\"path\":\(JSONText.quoted(path)),"
            + "\"status\":\(status),\"bytes\":\(bytes),\"duration_ms\":\(String(format: "%.3f", durationMs)),"
            + "\"remote\":\(JSONText.quoted(remote))}"
    }
}

/// Where access-log entries go; called on the server's pool threads, once per answered request.
public typealias AccessLogSink = @Sendable (AccessLogEntry) -> Void

/// Ready-made access-log sinks.
public enum AccessLog {
    /// Writes each entry's JSON line plus a newline to standard error (`StandardError.writeLine`).
    public static let standardError: AccessLogSink = { entry in StandardError.writeLine(entry.jsonLine) }
}

/// Log lines on standard error: the access log's, and a service's error log.
public enum StandardError {
    /// Writes `line` plus a newline to standard error, one `write(2)` per line (continued only after a partial or
    /// interrupted write) so lines from concurrent requests never interleave.
    public static func writeLine(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { break }
            }
        }
    }
}

/// Wall-clock timestamps for the access log, formatted without Foundation's formatters (which allocate heavily).
enum UTCTimestamp {
    /// Now, as `YYYY-MM-DDThh:mm:ss.mmmZ`.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = Int32(spec.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }
}
