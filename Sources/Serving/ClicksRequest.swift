import MIND

/// One click in a `POST /v1/clicks` body: `{"user": "U1", "news": "N1", "time": 1573776000}`.
///
/// `time` is Unix seconds (a number, or a string of digits) or MIND's `"MM/DD/YYYY hh:mm:ss AM|PM"` (UTC);
/// absent, the click happens now.
public struct ClickBody: Codable, Sendable, Equatable {
    public var user: String
    public var news: String
    public var time: ClickTime?

    public init(user: String, news: String, time: ClickTime? = nil) {
        self.user = user
        self.news = news
        self.time = time
    }
}

/// The time of a click: Unix seconds, given as a JSON number or as a string (digits or a MIND time).
public struct ClickTime: Codable, Sendable, Equatable {
    /// Unix seconds.
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    /// Decodes an integer, or a string that `ClicksFile.parseTime` reads.
    /// - Throws: `DecodingError.dataCorrupted` (answered 400 naming the field) for anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Int64.self) {
            self.seconds = seconds
        } else if let text = try? container.decode(String.self), let seconds = ClicksFile.parseTime(text) {
            self.seconds = seconds
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "expected Unix seconds or a time 'MM/DD/YYYY hh:mm:ss AM|PM' (UTC)"))
        }
    }

    /// Encodes Unix seconds as a number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds)
    }
}

/// The body of `POST /v1/clicks`: one click (`{"user", "news", "time"?}`) or a batch (`{"clicks": [ … ]}`).
/// A batch is recorded all or nothing.
public struct ClicksRequest: Codable, Sendable, Equatable {
    /// The clicks, in the order given.
    public var clicks: [ClickBody]
    /// Whether the body was a batch (field paths in errors are then `clicks[i].…`).
    public var isBatch: Bool

    public init(clicks: [ClickBody]) {
        self.clicks = clicks
        isBatch = true
    }

    private enum CodingKeys: String, CodingKey { case clicks }

    /// A body with a `clicks` field is a batch; any other object is one click.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.clicks) {
            clicks = try container.decode([ClickBody].self, forKey: .clicks)
            isBatch = true
        } else {
            clicks = [try ClickBody(from: decoder)]
            isBatch = false
        }
    }

    /// Always the batch form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clicks, forKey: .clicks)
    }

    /// The field path of click `index` as an error names it: `clicks[2]`, or nothing for a single click.
    func field(_ index: Int, _ name: String) -> String {
        isBatch ? "clicks[\(index)].\(name)" : name
    }
}

/// The answer of `POST /v1/clicks`: `{"recorded": N}`, sent once the clicks are committed.
public struct ClicksResponse: Codable, Sendable, Equatable {
    public var recorded: Int

    public init(recorded: Int) { self.recorded = recorded }
}
