/// The body of `POST /v1/rank`: `{"user": "U1", "candidates": ["N1", …], "top": 10}`.
///
/// Without `candidates`, the fresh pool is ranked (news shown in the last 24 hours of the data, as
/// `newsrec rank --fresh 24`). `top` defaults to every candidate given, or 10 for the fresh pool.
public struct RankRequest: Codable, Sendable, Equatable {
    /// The user to rank for; an unknown user or one without clicks gets the cold-start ranking.
    public var user: String
    /// The news to rank (at least one), or nil for the fresh pool.
    public var candidates: [String]?
    /// How many of the best to return (at least 1).
    public var top: Int?

    public init(user: String, candidates: [String]? = nil, top: Int? = nil) {
        self.user = user
        self.candidates = candidates
        self.top = top
    }
}
