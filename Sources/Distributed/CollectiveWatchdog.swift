import Basics
import Dispatch
import Synchronization

/// Aborts the job when a collective is still running `timeout` after it started.
///
/// `arm` schedules a check on a background queue; `disarm` cancels it. Only the most recent arm counts, and
/// collectives of one group run one at a time, so a single ticket slot suffices.
final class CollectiveWatchdog: Sendable {
    private let timeout: Duration
    private let expire: @Sendable (String) -> Never
    /// The armed ticket and the collective's name; nil when idle.
    private let armed = Mutex<(ticket: UInt64, name: String)?>(nil)
    private let nextTicket = Atomic<UInt64>(0)

    init(timeout: Duration, expire: @escaping @Sendable (String) -> Never) {
        self.timeout = timeout
        self.expire = expire
    }

    /// Starts the clock for collective `name`; returns the ticket to pass to `disarm`.
    func arm(_ name: String) -> UInt64 {
        let ticket = nextTicket.wrappingAdd(1, ordering: .relaxed).newValue
        armed.withLock { $0 = (ticket, name) }
        let delay = timeout.inSeconds
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [self] in
            let stuck = armed.withLock { state in state?.ticket == ticket ? state?.name : nil }
            if let stuck {
                expire("\(stuck) did not complete within \(timeout) (a peer is stalled, dead or much slower); aborting the job")
            }
        }
        return ticket
    }

    /// Stops the clock started by `arm`.
    func disarm(_ ticket: UInt64) {
        armed.withLock { state in
            if state?.ticket == ticket { state = nil }
        }
    }
}
