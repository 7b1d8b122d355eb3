import MIND

/// Freshness and popularity over impressions and recorded clicks: the ranker's candidates and cold start.
extension Database {
    /// The latest time of the data: the newest impression; the newest recorded click when there is no impression;
    /// nil when there is neither. (Impressions anchor it, so clicks recorded "now" against old data do not move
    /// the window of fresh news away from the impressions.)
    public func latestTime() throws -> Int64? {
        try scalarInt(SQL.latestTime).map(Int64.init)
    }

    /// The time of the newest impression, nil when there is none.
    public func latestImpressionTime() throws -> Int64? {
        try scalarInt(SQL.latestImpressionTime).map(Int64.init)
    }

    /// The news shown as candidates in impressions at or after `time`, sorted by id.
    public func freshNews(since time: Int64) throws -> [NewsID] {
        try withStatement(SQL.selectFreshNews) { statement in
            try statement.bind(time, at: 1)
            var ids: [NewsID] = []
            while try statement.step() { ids.append(NewsID(statement.string(0))) }
            return ids
        }
    }

    /// Click counts since `time`: clicked candidates of impressions at or after it plus clicks recorded at or
    /// after it, per news; most clicked first, ties by id. News without clicks are absent.
    public func clickPopularity(since time: Int64) throws -> [(news: NewsID, clicks: Int)] {
        try withStatement(SQL.selectPopularity) { statement in
            try statement.bind(time, at: 1)
            var result: [(news: NewsID, clicks: Int)] = []
            while try statement.step() { result.append((NewsID(statement.string(0)), statement.int(1))) }
            return result
        }
    }
}
