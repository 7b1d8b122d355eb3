import Metrics

/// What `newsrec synth` generated, written as `oracle.json`: sizes, the click model, per-split statistics, and
/// the leaderboard metrics of reference rankings on dev and test.
///
/// `oracle` ranks each impression's candidates by their TRUE click probabilities — the best ranking any model
/// can hope for in expectation. `popularity` ranks by the articles' latent popularity alone, `random` uniformly
/// at random (≈ 0.5 AUC); a trained model should land between `popularity`/`random` and `oracle`.
public struct SyntheticMINDReport: Sendable, Codable, Equatable {
    /// Counts of one split's `behaviors.tsv` and `news.tsv`.
    public struct SplitStatistics: Sendable, Codable, Equatable {
        public var impressions: Int
        /// Candidate rows (news shown).
        public var candidates: Int
        public var clicks: Int
        /// `clicks / candidates` (for test, of the hidden labels in `leaderboard/ref/truth.txt`).
        public var clickThroughRate: Double
        public var meanCandidates: Double
        /// Distinct users with at least one impression.
        public var users: Int
        /// Lines of the split's `news.tsv` (news referenced by its histories or candidates).
        public var news: Int
        /// Mean history length over impressions.
        public var meanHistoryLength: Double
        /// Impressions whose history is empty.
        public var emptyHistories: Int
    }

    /// Leaderboard metrics of the reference rankings on one labelled split.
    public struct ReferenceRankings: Sendable, Codable, Equatable {
        public var oracle: MetricsSummary
        public var popularity: MetricsSummary
        public var random: MetricsSummary
    }

    /// How concentrated attention is on few articles (train split).
    public struct Concentration: Sendable, Codable, Equatable {
        /// Share of train candidate rows that go to the 10% most shown articles (of those shown at all).
        public var top10PercentImpressionShare: Double
        /// Share of train clicks that go to the 10% most clicked articles (of those shown at all).
        public var top10PercentClickShare: Double
        /// Articles shown at least once in train.
        public var shownNews: Int
    }

    public var configuration: SyntheticMINDConfiguration
    public var clickModel: ClickModel
    public var topics: Int
    public var subcategories: Int
    /// Distinct words the titles and abstracts are drawn from (entity words included).
    public var vocabulary: Int
    /// Lines of `glove.txt` (covered vocabulary words plus a few words that appear in no text).
    public var wordVectors: Int
    public var averageTitleWords: Double
    public var train: SplitStatistics
    public var dev: SplitStatistics
    public var test: SplitStatistics
    public var devMetrics: ReferenceRankings
    public var testMetrics: ReferenceRankings
    public var concentration: Concentration
}
