/// The store's DML — every statement the store runs, each written once. The DDL lives in `Schema/NNN_*.sql`.
/// Every statement here is prepared (once per connection, `Database.cachedStatement`) and bound; parameters are
/// numbered `?1`, `?2`, … as listed in each comment.
enum SQL {
    // MARK: - Articles (`Database+Articles.swift`)

    /// ?1 news id → the stored columns of the article.
    static let selectArticle = """
        SELECT category, subcategory, title, abstract, url, title_entities, abstract_entities FROM news WHERE id = ?1
        """
    static let upsertNews = """
        INSERT INTO news (id, category, subcategory, title, abstract, url, title_entities, abstract_entities)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (id) DO UPDATE SET category = excluded.category, subcategory = excluded.subcategory,
            title = excluded.title, abstract = excluded.abstract, url = excluded.url,
            title_entities = excluded.title_entities, abstract_entities = excluded.abstract_entities
        """
    static let deleteEntitiesOfNews = "DELETE FROM news_entities WHERE news = ?1"
    static let insertEntity = """
        INSERT INTO news_entities (news, field, position, label, type, wikidata_id, confidence, offsets, surface_forms)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """
    static let countNews = "SELECT count(*) FROM news"
    static let newsExists = "SELECT 1 FROM news WHERE id = ?1"
    static let selectAllNewsIDs = "SELECT id FROM news ORDER BY id"
    /// ?1 WikiData id.
    static let selectNewsMentioning = "SELECT DISTINCT news FROM news_entities WHERE wikidata_id = ?1 ORDER BY news"
    /// Every title in ingest order (training vocabulary and news table).
    static let selectTitles = "SELECT id, title FROM news ORDER BY rowid"

    // MARK: - Title changes and cache invalidation

    /// ?1 news, ?2 old title, ?3 new title, ?4 Unix seconds.
    static let insertTitleChange = """
        INSERT INTO news_title_changes (news, old_title, new_title, changed_at) VALUES (?1, ?2, ?3, ?4)
        """
    /// The invalidation epoch: grows with every recorded title change.
    static let titleChangeEpoch = "SELECT coalesce(max(seq), 0) FROM news_title_changes"
    static let selectModelIDs = "SELECT id FROM models ORDER BY id"
    /// ?1 model, ?2 news.
    static let deleteNewsVector = "DELETE FROM news_vectors WHERE model = ?1 AND news = ?2"
    static let selectUsersWithVectors = "SELECT DISTINCT user FROM user_vectors ORDER BY user"
    /// ?1 model, ?2 user.
    static let deleteUserVector = "DELETE FROM user_vectors WHERE model = ?1 AND user = ?2"

    // MARK: - Impressions (`Database+Impressions.swift`)

    /// ?1 split, ?2 impression id.
    static let selectImpression = """
        SELECT impression_id, user, time, history, candidate_list FROM impressions
        WHERE split = ?1 AND impression_id = ?2
        """
    /// ?1 split.
    static let selectImpressions = """
        SELECT impression_id, user, time, history, candidate_list FROM impressions
        WHERE split = ?1 ORDER BY impression_id
        """
    static let selectSplits = "SELECT DISTINCT split FROM impressions"
    /// ?1 split → impressions, candidates.
    static let countImpressions = "SELECT count(*), coalesce(sum(candidates), 0) FROM impressions WHERE split = ?1"

    // MARK: - Ingest (`Database+Ingest.swift`)

    static let deleteSplitNews = "DELETE FROM split_news WHERE split = ?1"
    static let insertSplitNews = "INSERT OR IGNORE INTO split_news (split, news) VALUES (?1, ?2)"
    static let deleteImpressions = "DELETE FROM impressions WHERE split = ?1"
    static let deleteReferences = "DELETE FROM news_references WHERE split = ?1"
    /// ?8 the packed candidates (`CandidateList`).
    static let insertImpression = """
        INSERT INTO impressions (split, impression_id, user, time, history, candidates, clicks, candidate_list)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        """
    static let insertReference = """
        INSERT INTO news_references (split, news, history_count, impression_count, click_count)
        VALUES (?1, ?2, ?3, ?4, ?5)
        """
    static let deleteUserHistories = "DELETE FROM user_histories"
    /// Each user's latest impression by (time, split, impression_id), ranked over the covering index
    /// `impressions_by_user_time`; only the winners' rows are read.
    static let rebuildUserHistories = """
        INSERT INTO user_histories (user, split, impression_id, time, history)
        SELECT i.user, i.split, i.impression_id, i.time, i.history FROM (
            SELECT split, impression_id,
                   row_number() OVER (PARTITION BY user ORDER BY time DESC, split DESC, impression_id DESC) AS rank
            FROM impressions) AS latest
        JOIN impressions AS i ON i.split = latest.split AND i.impression_id = latest.impression_id
        WHERE latest.rank = 1
        """
    /// ?1 split → unknown ids, of which in histories, of which as candidates.
    static let unknownNews = """
        SELECT count(*), coalesce(sum(history_count > 0), 0), coalesce(sum(impression_count > 0), 0)
        FROM news_references AS r
        WHERE split = ?1 AND NOT EXISTS (SELECT 1 FROM news AS n WHERE n.id = r.news)
        """
    /// ?1 split, ?2 limit.
    static let unknownNewsExamples = """
        SELECT news FROM news_references AS r
        WHERE split = ?1 AND NOT EXISTS (SELECT 1 FROM news AS n WHERE n.id = r.news)
        ORDER BY news LIMIT ?2
        """
    static let insertIngestRun = """
        INSERT INTO ingest_runs (split, news_file, behaviors_file, started_at, seconds, news_rows, impressions,
                                 candidates, skipped_lines, unknown_news)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """
    static let walCheckpoint = "PRAGMA wal_checkpoint(TRUNCATE)"

    // MARK: - Statistics (`Database+Statistics.swift`)

    /// ?1 split.
    static let splitImpressionStatistics = """
        SELECT count(*), count(DISTINCT user), coalesce(sum(candidates), 0),
               coalesce(sum(CASE WHEN clicks IS NOT NULL THEN candidates END), 0), coalesce(sum(clicks), 0)
        FROM impressions WHERE split = ?1
        """
    static let splitNewsRows = "SELECT count(*) FROM split_news WHERE split = ?1"
    static let splitReferencedNews = "SELECT count(*) FROM news_references WHERE split = ?1"
    static let userCount = "SELECT count(DISTINCT user) FROM impressions"

    // MARK: - Histories and clicks (`Database+Clicks.swift`)

    /// ?1 user.
    static let selectUserHistory = "SELECT split, impression_id, time, history FROM user_histories WHERE user = ?1"
    /// ?1 user, ?2 time: the clicks after the time, in (time, recording) order.
    static let selectClicksAfter = "SELECT news, time FROM clicks WHERE user = ?1 AND time > ?2 ORDER BY time, seq"
    /// ?1 user, ?2 news, ?3 time.
    static let insertClick = """
        INSERT INTO clicks (user, seq, news, time)
        VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM clicks WHERE user = ?1), ?2, ?3)
        """
    static let countClicks = "SELECT count(*) FROM clicks"

    // MARK: - Freshness and popularity (`Database+Popularity.swift`)

    static let latestTime = """
        SELECT coalesce((SELECT max(time) FROM impressions), (SELECT max(time) FROM clicks))
        """
    static let latestImpressionTime = "SELECT max(time) FROM impressions"
    /// ?1 time: the packed candidates of the impressions at or after it (index `impressions_by_time`).
    static let selectCandidateListsSince = "SELECT candidate_list FROM impressions WHERE time >= ?1"
    /// ?1 time: recorded clicks at or after it, per news (index `clicks_by_time`).
    static let countClicksSince = "SELECT news, count(*) FROM clicks WHERE time >= ?1 GROUP BY news"
    /// Changes whenever an ingest writes impressions: the largest impression rowid and the largest ingest run id.
    static let impressionsGeneration = """
        SELECT (SELECT coalesce(max(rowid), 0) FROM impressions), (SELECT coalesce(max(id), 0) FROM ingest_runs)
        """

    // MARK: - Embedding cache (`Database+EmbeddingCache.swift`, `Schema/002_ranking.sql`)

    /// ?1 id, ?2 dimension, ?3 config, ?4 checkpoint, ?5 Unix seconds.
    static let insertModel = """
        INSERT INTO models (id, dimension, config, checkpoint, registered_at) VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (id) DO NOTHING
        """
    static let selectModel = "SELECT dimension, config, checkpoint, registered_at FROM models WHERE id = ?1"
    /// ?1 model, ?2 news.
    static let selectNewsVector = "SELECT vector FROM news_vectors WHERE model = ?1 AND news = ?2"
    /// ?1 model, ?2 news, ?3 vector, ?4 the title it was encoded from: written only while the news still has that
    /// title, so a vector encoded from a title that an ingest changed meanwhile is never cached.
    static let upsertNewsVector = """
        INSERT INTO news_vectors (model, news, vector) SELECT ?1, id, ?3 FROM news WHERE id = ?2 AND title = ?4
        ON CONFLICT (model, news) DO UPDATE SET vector = excluded.vector
        """
    static let selectAllNewsVectors = "SELECT news, vector FROM news_vectors WHERE model = ?1 ORDER BY news"
    /// ?1 model, ?2 rowid: the vectors added after that rowid, in rowid order.
    static let selectNewsVectorsAfter = """
        SELECT rowid, news, vector FROM news_vectors WHERE rowid > ?2 AND model = ?1 ORDER BY rowid
        """
    /// Grows when a news vector is added (largest rowid) or invalidated (title-change epoch).
    static let vectorGeneration = """
        SELECT (SELECT coalesce(max(rowid), 0) FROM news_vectors), (\(titleChangeEpoch))
        """
    static let countNewsVectors = "SELECT count(*) FROM news_vectors WHERE model = ?1"
    /// ?1 model.
    static let selectUncachedArticles = """
        SELECT id, category, subcategory, title, abstract, url FROM news AS n
        WHERE NOT EXISTS (SELECT 1 FROM news_vectors AS v WHERE v.model = ?1 AND v.news = n.id)
        ORDER BY id
        """
    /// ?1 model, ?2 user, ?3 version.
    static let selectUserVector = """
        SELECT vector, history_length FROM user_vectors WHERE model = ?1 AND user = ?2 AND version = ?3
        """
    /// ?1 model, ?2 user, ?3 version, ?4 history length, ?5 vector, ?6 the title-change epoch its inputs were read
    /// at: written only while no title changed since.
    static let upsertUserVector = """
        INSERT INTO user_vectors (model, user, version, history_length, vector)
        SELECT ?1, ?2, ?3, ?4, ?5 WHERE (\(titleChangeEpoch)) = ?6
        ON CONFLICT (model, user) DO UPDATE SET version = excluded.version,
            history_length = excluded.history_length, vector = excluded.vector
        """
}
