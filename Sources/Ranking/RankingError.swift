import MIND

/// An error of the ranker: a request naming things the store does not hold, or a checkpoint that does not fit.
public enum RankingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A checkpoint directory lacks one of the files that define the model.
    case missingCheckpointFile(String)
    /// Candidate ids that are not news of the store.
    case unknownCandidates([NewsID])
    /// The store holds vectors for model `id` of a different length than the checkpoint produces.
    case dimensionMismatch(model: String, stored: Int, expected: Int)

    public var description: String {
        switch self {
        case let .missingCheckpointFile(path):
            return "checkpoint file \(path) is missing or unreadable (a checkpoint directory holds "
                + "model.safetensors, config.json and vocab.txt)"
        case let .unknownCandidates(ids):
            let shown = ids.prefix(10).map(\.rawValue).joined(separator: ", ")
            return "unknown candidate news (not in the store): \(shown)"
                + (ids.count > 10 ? " and \(ids.count - 10) more" : "")
        case let .dimensionMismatch(model, stored, expected):
            return "model \(model): stored vectors have \(stored) values, the checkpoint produces \(expected)"
        }
    }
}
