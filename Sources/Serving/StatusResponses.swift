import NewsModel

/// The answer of `GET /v1/model`: the served model and how much of the store it has cached.
public struct ModelResponse: Codable, Sendable, Equatable {
    /// The model id (`ModelFingerprint`: FNV-1a 64 of the checkpoint files).
    public var id: String
    /// Values per news and user vector.
    public var dimension: Int
    /// Clicks the user encoder reads.
    public var historyLength: Int
    /// The checkpoint directory the model was loaded from.
    public var checkpoint: String
    /// The checkpoint's config.json (nil when it is not an NRMS configuration).
    public var config: NRMSConfiguration?
    /// News with a cached vector for this model.
    public var cachedNews: Int

    enum CodingKeys: String, CodingKey {
        case id, dimension, checkpoint, config
        case historyLength = "history_length"
        case cachedNews = "cached_news"
    }
}

/// The answer of `GET /healthz` and `GET /readyz`.
public struct StatusResponse: Codable, Sendable, Equatable {
    /// `ok` (alive) or `ready` (store open, model loaded).
    public var status: String
    /// The served model id (readiness only).
    public var model: String?

    public init(status: String, model: String? = nil) {
        self.status = status
        self.model = model
    }
}
