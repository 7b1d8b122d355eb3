import MIND

/// The sizes and seed of a synthetic MIND dataset. Equal configurations give byte-identical files.
public struct SyntheticMINDConfiguration: Sendable, Codable, Equatable {
    /// The user population; users are drawn for impressions by a log-normal activity weight, so some get
    /// many impressions and some none.
    public var users: Int
    /// Number of news articles, published uniformly from two days before the history weeks to the end of test.
    public var news: Int
    /// Impressions over train + dev + test, split `trainShare` / `devShare` / the rest.
    public var impressions: Int
    public var seed: UInt64
    /// Dimension of the vectors in `glove.txt`.
    public var wordDimension: Int
    /// Click-through rate of the labelled impressions the click model is calibrated to.
    public var targetCTR: Double

    /// Share of the impressions in train (days 1–6 of the impression week).
    public static let trainShare = 0.70
    /// Share of the impressions in dev (day 7).
    public static let devShare = 0.15
    /// The rest (0.15) goes to test (days 8–9).
    public static let testShare = 0.15

    public init(users: Int = 2_000, news: Int = 3_000, impressions: Int = 6_000, seed: UInt64 = 1,
                wordDimension: Int = 50, targetCTR: Double = 0.04) {
        self.users = users
        self.news = news
        self.impressions = impressions
        self.seed = seed
        self.wordDimension = wordDimension
        self.targetCTR = targetCTR
    }

    /// The number of impressions of `split`: dev and test get `round(0.15 · impressions)` each, train the rest.
    public func impressions(in split: Split) -> Int {
        let dev = Int((Double(impressions) * Self.devShare).rounded())
        let test = Int((Double(impressions) * Self.testShare).rounded())
        switch split {
        case .train: return impressions - dev - test
        case .dev: return dev
        case .test: return test
        }
    }

    /// Throws `SyntheticMINDError.invalidConfiguration` naming the first value out of range.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws {
            if !condition { throw SyntheticMINDError.invalidConfiguration(message) }
        }
        try check(users >= 1 && users <= 100_000_000, "users must be in 1…100000000, got \(users)")
        try check(news >= 20 && news <= 20_000_000, "news must be in 20…20000000, got \(news)")
        try check(impressions >= 1 && impressions <= 500_000_000,
                  "impressions must be in 1…500000000, got \(impressions)")
        try check(wordDimension >= 1 && wordDimension <= 1_000, "word dimension must be in 1…1000, got \(wordDimension)")
        try check(targetCTR > 0 && targetCTR < 0.5, "target CTR must be in (0, 0.5), got \(targetCTR)")
    }
}
