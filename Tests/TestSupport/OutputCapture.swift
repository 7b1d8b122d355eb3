import Foundation

/// Collects what a command writes to standard output and standard error, from any thread; hand its `out` and
/// `err` closures to `CommandContext(out:err:)`.
public final class OutputCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = "", errText = ""

    public init() {}

    /// Everything written to standard output so far.
    public var out: String { lock.withLock { outText } }
    /// Everything written to standard error so far.
    public var err: String { lock.withLock { errText } }

    /// The writer of standard output.
    public var writeOut: @Sendable (String) -> Void { { text in self.lock.withLock { self.outText += text } } }
    /// The writer of standard error.
    public var writeErr: @Sendable (String) -> Void { { text in self.lock.withLock { self.errText += text } } }
}
