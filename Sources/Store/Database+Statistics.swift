import MIND

/// Counts of one split in the store.
public struct SplitStatistics: Codable, Equatable, Sendable {
    public var split: Split
    /// Articles defined by the split's news file.
    public var newsRows: Int
    /// Distinct news ids the split's histories and candidates mention.
    public var newsReferenced: Int
    /// … of which no ingested news file defines.
    public var unknownNews: Int
    /// Distinct users with an impression in the split.
    public var users: Int
    public var impressions: Int
    /// Candidate rows (labelled or not).
    public var candidates: Int
    /// Candidate rows with a label (all of them in train/dev, none in an unlabelled test split).
    public var labelledCandidates: Int
    /// Clicked candidates.
    public var clicks: Int
    /// clicks / labelledCandidates; nil when nothing is labelled.
    public var clickThroughRate: Double?

    enum CodingKeys: String, CodingKey {
        case split, newsRows = "news_rows", newsReferenced = "news_referenced", unknownNews = "unknown_news"
        case users, impressions, candidates, labelledCandidates = "labelled_candidates", clicks
        case clickThroughRate = "ctr"
    }

    public init(split: Split, newsRows: Int, newsReferenced: Int, unknownNews: Int, users: Int, impressions: Int,
                candidates: Int, labelledCandidates: Int, clicks: Int, clickThroughRate: Double?) {
        self.split = split
        self.newsRows = newsRows
        self.newsReferenced = newsReferenced
        self.unknownNews = unknownNews
        self.users = users
        self.impressions = impressions
        self.candidates = candidates
        self.labelledCandidates = labelledCandidates
        self.clicks = clicks
        self.clickThroughRate = clickThroughRate
    }

    /// Encodes every key, with `"ctr": null` for an unlabelled split (rather than leaving the key out).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(split, forKey: .split)
        try container.encode(newsRows, forKey: .newsRows)
        try container.encode(newsReferenced, forKey: .newsReferenced)
        try container.encode(unknownNews, forKey: .unknownNews)
        try container.encode(users, forKey: .users)
        try container.encode(impressions, forKey: .impressions)
        try container.encode(candidates, forKey: .candidates)
        try container.encode(labelledCandidates, forKey: .labelledCandidates)
        try container.encode(clicks, forKey: .clicks)
        if let clickThroughRate {
            try container.encode(clickThroughRate, forKey: .clickThroughRate)
        } else {
            try container.encodeNil(forKey: .clickThroughRate)
        }
    }
}

/// Counts of the whole store.
public struct StoreStatistics: Codable, Equatable, Sendable {
    /// Rows of `news` (the union of every ingested news file).
    public var newsRows: Int
    /// Distinct users over all splits.
    public var users: Int
    /// The splits that have news or impressions, in train, dev, test order.
    public var splits: [SplitStatistics]

    enum CodingKeys: String, CodingKey {
        case newsRows = "news_rows", users, splits
    }
}

extension Database {
    /// Counts per split and in total (one read transaction, so the numbers are consistent).
    public func statistics() throws -> StoreStatistics {
        try read {
            var splits: [SplitStatistics] = []
            for split in Split.allCases {
                let value = SQLValue.text(split.rawValue)
                let newsRows = try scalarInt(SQL.splitNewsRows, [value]) ?? 0
                let referenced = try scalarInt(SQL.splitReferencedNews, [value]) ?? 0
                let unknown = try scalarInt(SQL.unknownNews, [value]) ?? 0
                let counts = try integerRow(SQL.splitImpressionStatistics, [value])
                let impressions = counts[0]
                guard newsRows > 0 || impressions > 0 else { continue }
                let labelled = counts[3], clicks = counts[4]
                splits.append(SplitStatistics(
                    split: split, newsRows: newsRows, newsReferenced: referenced, unknownNews: unknown,
                    users: counts[1], impressions: impressions, candidates: counts[2],
                    labelledCandidates: labelled, clicks: clicks,
                    clickThroughRate: labelled > 0 ? Double(clicks) / Double(labelled) : nil))
            }
            return StoreStatistics(newsRows: try articleCount(), users: try scalarInt(SQL.userCount) ?? 0,
                                   splits: splits)
        }
    }
}
