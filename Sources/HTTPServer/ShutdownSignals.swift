import Dispatch
import Glibc
import Synchronization

/// Turns SIGTERM/SIGINT into one call of a closure, so a server can drain and exit cleanly.
///
/// The signals' default action (terminate) is switched off with `SIG_IGN` first, then DispatchSource signal
/// sources deliver them on a queue: the closure runs as ordinary code, not in a signal handler, so it may stop the
/// server, flush logs and call `exit`. Only the first signal calls it; later ones are absorbed. `install` returns
/// once libdispatch has taken the signals over, so a signal sent right after it is not lost.
///
/// ```swift
/// let signals = ShutdownSignals.install { _ in server.stop(timeout: .seconds(10)) }
/// let outcome = server.waitUntilStopped()     // returns once stop has drained (or timed out)
/// signals.cancel()
/// exit(outcome == .drained ? 0 : 1)
/// ```
public final class ShutdownSignals: Sendable {
    /// The invariant that makes this `Sendable`: the sources are created in `install` before the object is shared
    /// and only `cancel()`ed afterwards, which DispatchSource allows from any thread.
    private struct Sources: @unchecked Sendable { let list: [any DispatchSourceSignal] }

    private let sources: Sources
    private let numbers: [Int32]
    private let fired = Atomic<Bool>(false)

    private init(sources: [any DispatchSourceSignal], numbers: [Int32]) {
        self.sources = Sources(list: sources)
        self.numbers = numbers
    }

    /// Starts listening for `signals`; `handler` gets the number of the first one that arrives.
    /// The handling stays installed until `cancel()`, whether or not the returned object is kept.
    public static func install(_ signals: [Int32] = [SIGTERM, SIGINT], queue: DispatchQueue? = nil,
                               handler: @escaping @Sendable (Int32) -> Void) -> ShutdownSignals {
        let queue = queue ?? DispatchQueue(label: "newsrec.http.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: number, queue: queue))
        }
        let installed = ShutdownSignals(sources: sources, numbers: signals)
        for (source, number) in zip(sources, signals) {
            source.setEventHandler {
                guard !installed.fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
                handler(number)
            }
            source.resume()
        }
        waitForRegistration(of: signals)
        return installed
    }

    /// On Linux, libdispatch registers a signal source asynchronously, and only then replaces the `SIG_IGN`
    /// disposition with its own forwarding handler (which routes the signal to its signalfd). Until that happens a
    /// signal would be dropped by `SIG_IGN`, so wait (at most one second) until every disposition has changed:
    /// when `install` returns, the signals are being handled.
    private static func waitForRegistration(of signals: [Int32]) {
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self)
        let deadline = ContinuousClock.now + .seconds(1)
        for number in signals {
            while ContinuousClock.now < deadline {
                var current = sigaction()
                sigaction(number, nil, &current)
                if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) != ignore { break }
                usleep(200)
            }
        }
    }

    /// Whether a signal has arrived (and the handler was called).
    public var hasFired: Bool { fired.load(ordering: .acquiring) }

    /// Stops listening and restores the signals' default action.
    public func cancel() {
        for source in sources.list { source.cancel() }
        for number in numbers { signal(number, SIG_DFL) }
    }
}
