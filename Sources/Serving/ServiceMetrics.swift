import HTTPServer
import Ranking

/// The service's own metrics, registered beside the server's request metrics (`http_requests_total`,
/// `http_request_duration_seconds`, `http_requests_in_flight`) in one `MetricsRegistry`, served at `GET /metrics`.
public struct ServiceMetrics: Sendable {
    /// `newsrec_rankings_total{method}`: rankings answered, by method (`personalized`, `popularity`).
    public static let rankings = "newsrec_rankings_total"
    /// `newsrec_user_vector_cache_hits_total`: personalized rankings whose user vector came from the cache.
    public static let userVectorHits = "newsrec_user_vector_cache_hits_total"
    /// `newsrec_user_vector_cache_misses_total`: personalized rankings that computed the user vector.
    public static let userVectorMisses = "newsrec_user_vector_cache_misses_total"
    /// `newsrec_clicks_recorded_total`: clicks committed to the store.
    public static let clicksRecorded = "newsrec_clicks_recorded_total"
    /// `newsrec_news_added_total`: articles the store did not hold before.
    public static let newsAdded = "newsrec_news_added_total"
    /// `newsrec_news_updated_total`: stored articles whose row changed.
    public static let newsUpdated = "newsrec_news_updated_total"
    /// `newsrec_news_vectors_encoded_total`: news vectors encoded and cached by `POST /v1/news`.
    public static let newsEncoded = "newsrec_news_vectors_encoded_total"

    let rankingsByMethod: Counter
    let hits: Counter
    let misses: Counter
    let clicks: Counter
    let added: Counter
    let updated: Counter
    let encoded: Counter

    /// Registers (or finds) the service's metrics in `registry`.
    public init(registry: MetricsRegistry) {
        rankingsByMethod = registry.counter(Self.rankings, help: "Rankings answered, by method.", labels: ["method"])
        hits = registry.counter(Self.userVectorHits, help: "Personalized rankings whose user vector was cached.")
        misses = registry.counter(Self.userVectorMisses,
                                  help: "Personalized rankings that computed (and cached) the user vector.")
        clicks = registry.counter(Self.clicksRecorded, help: "Clicks committed to the store.")
        added = registry.counter(Self.newsAdded, help: "Articles added to the store by POST /v1/news.")
        updated = registry.counter(Self.newsUpdated, help: "Stored articles changed by POST /v1/news.")
        encoded = registry.counter(Self.newsEncoded, help: "News vectors encoded and cached by POST /v1/news.")
    }

    /// Counts one answered ranking: its method and, for a personalized one, a user-vector cache hit or miss.
    func record(_ result: RankingResult) {
        switch result.method {
        case let .personalized(_, cachedUserVector):
            rankingsByMethod.increment(labels: [RankingReport.personalized])
            (cachedUserVector ? hits : misses).increment()
        case .popularity:
            rankingsByMethod.increment(labels: [RankingReport.popularity])
        }
    }
}
