import Foundation

/// Running other programs from tests: the package's executables, and jobs under Open MPI's `mpirun`.
public enum ProcessRun {
    /// Output and status of a finished process.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
        public var seconds: Double
    }

    /// `mpirun` on the `PATH`, or nil (tests that need it skip with a message).
    public static let mpirun: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// The environment of spawned jobs: CI runs as root, and containers often forbid the CMA single-copy mechanism.
    public static let environment = ProcessInfo.processInfo.environment.merging([
        "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    ]) { _, new in new }

    /// Starts `executable` with stdin from /dev/null and output into the files `output`/`errors` (a killed job's
    /// orphans cannot block a pipe). The caller waits for or kills the process.
    public static func start(_ executable: URL, _ arguments: [String], output: URL, errors: URL,
                             onExit: (@Sendable (Process) -> Void)? = nil) throws -> Process {
        let process = Process()
        process.terminationHandler = onExit
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        return process
    }

    /// Runs `executable` to its end; kills it and fails with a hang report after `timeout` seconds.
    public static func run(_ executable: URL, _ arguments: [String], timeout: Double = 60) throws -> Result {
        let directory = try TemporaryDirectory("process-run")
        defer { directory.remove() }
        let outURL = try directory.file("out", ""), errURL = try directory.file("err", "")
        let finished = DispatchSemaphore(value: 0)
        let start = Date()
        let process = try Self.start(executable, arguments, output: outURL, errors: errURL) { _ in finished.signal() }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
            throw Hang(description: "\(executable.lastPathComponent) \(arguments) hung for \(timeout) s")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: try String(contentsOf: outURL, encoding: .utf8),
                      errors: try String(contentsOf: errURL, encoding: .utf8), seconds: Date().timeIntervalSince(start))
    }

    /// A spawned program did not finish in time.
    public struct Hang: Error, CustomStringConvertible {
        public var description: String
    }
}
