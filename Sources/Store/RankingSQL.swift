/// The DML of the ranking cache (`Schema/002_ranking.sql`) and the ranking queries over schema 1's tables.
/// Every statement is prepared once per connection and bound.
enum RankingSQL {
    // Models
    static let insertModel = """
        INSERT INTO models (id, dimension, config, checkpoint, registered_at) VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (id) DO NOTHING
        """
    static let selectModel = "SELECT dimension, config, checkpoint, registered_at FROM models WHERE id = ?1"

    // News vectors
    static let selectNewsVector = "SELECT vector FROM news_vectors WHERE model = ?1 AND news = ?2"
    static let upsertNewsVector = """
        INSERT INTO news_vectors (model, news, vector) VALUES (?1, ?2, ?3)
        ON CONFLICT (model, news) DO UPDATE SET vector = excluded.vector
        """
    static let selectAllNewsVectors = "SELECT news, vector FROM news_vectors WHERE model = ?1 ORDER BY news"
    static let vectorGeneration = "SELECT coalesce(max(rowid), 0) FROM news_vectors"
    static let countNewsVectors = "SELECT count(*) FROM news_vectors WHERE model = ?1"
    static let selectUncachedArticles = """
        SELECT id, category, subcategory, title, abstract, url FROM news AS n
        WHERE NOT EXISTS (SELECT 1 FROM news_vectors AS v WHERE v.model = ?1 AND v.news = n.id)
        ORDER BY id
        """
    static let selectArticleText = """
        SELECT category, subcategory, title, abstract, url FROM news WHERE id = ?1
        """
    static let newsExists = "SELECT 1 FROM news WHERE id = ?1"
    static let selectAllNewsIDs = "SELECT id FROM news ORDER BY id"

    // User vectors
    static let selectUserVector = """
        SELECT vector, history_length FROM user_vectors WHERE model = ?1 AND user = ?2 AND version = ?3
        """
    static let upsertUserVector = """
        INSERT INTO user_vectors (model, user, version, history_length, vector) VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (model, user) DO UPDATE SET version = excluded.version,
            history_length = excluded.history_length, vector = excluded.vector
        """

    // Histories and clicks (tables of schema 1)
    static let selectUserHistory = "SELECT time, history FROM user_histories WHERE user = ?1"
    static let selectClicksAfter = "SELECT news, time FROM clicks WHERE user = ?1 AND time > ?2 ORDER BY time, seq"
    static let insertClick = """
        INSERT INTO clicks (user, seq, news, time)
        VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM clicks WHERE user = ?1), ?2, ?3)
        """
    static let countClicks = "SELECT count(*) FROM clicks"

    // Freshness and popularity
    static let latestTime = """
        SELECT coalesce((SELECT max(time) FROM impressions), (SELECT max(time) FROM clicks))
        """
    static let latestImpressionTime = "SELECT max(time) FROM impressions"
    static let selectFreshNews = """
        SELECT DISTINCT c.news FROM impressions AS i
        JOIN candidates AS c ON c.split = i.split AND c.impression_id = i.impression_id
        WHERE i.time >= ?1
        ORDER BY c.news
        """
    /// Clicks at or after ?1: clicked candidates of impressions plus recorded clicks, counted per news.
    static let selectPopularity = """
        SELECT news, count(*) AS n FROM (
            SELECT c.news AS news FROM impressions AS i
            JOIN candidates AS c ON c.split = i.split AND c.impression_id = i.impression_id
            WHERE i.time >= ?1 AND c.label = 1
            UNION ALL
            SELECT news FROM clicks WHERE time >= ?1)
        GROUP BY news
        ORDER BY n DESC, news
        """
}
