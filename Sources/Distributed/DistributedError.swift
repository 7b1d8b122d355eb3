/// Everything that can go wrong in the communication layer, with a message that names the call or the
/// offending value.
public enum DistributedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An MPI call returned an error code (`MPI_ERRORS_RETURN` is set on the communicator).
    case mpi(call: String, code: Int32, message: String)
    /// The MPI library cannot give the thread level this layer needs.
    case threadSupport(requested: Int32, provided: Int32)
    /// A collective was called after `finalize()`.
    case finalized(call: String)
    /// A byte payload is truncated or inconsistent (what was expected at which offset).
    case malformedPayload(String)
    /// An argument or gradient shape breaks the contract (what was expected, what was found).
    case invalidArgument(String)
    /// The contributed tree nodes do not cover every shard exactly once.
    case incompleteCover(String)
    /// A collective would move more bytes than MPI's `int` counts can address.
    case messageTooLarge(call: String, bytes: Int)

    /// The message: which call or value failed and why.
    public var description: String {
        switch self {
        case let .mpi(call, code, message):
            return "\(call) failed with MPI error \(code): \(message)"
        case let .threadSupport(requested, provided):
            return "MPI_Init_thread: requested thread level \(requested), the library provides only \(provided)"
        case let .finalized(call):
            return "\(call) called after the process group was finalized"
        case let .malformedPayload(detail):
            return "malformed gradient payload: \(detail)"
        case let .invalidArgument(detail):
            return "invalid argument: \(detail)"
        case let .incompleteCover(detail):
            return "contributed tree nodes do not cover every shard exactly once: \(detail)"
        case let .messageTooLarge(call, bytes):
            return "\(call): \(bytes) bytes exceed MPI's limit of \(Int32.max) bytes per collective"
        }
    }
}
