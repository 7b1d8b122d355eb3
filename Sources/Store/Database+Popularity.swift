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
        var shown = Set<NewsID>()
        try forEachCandidate(since: time) { news, _ in shown.insert(news) }
        return shown.sorted { $0.rawValue.utf8.lexicographicallyPrecedes($1.rawValue.utf8) }
    }

    /// Click counts since `time`: clicked candidates of impressions at or after it plus clicks recorded at or
    /// after it, per news; most clicked first, ties by id. News without clicks are absent. One read transaction.
    public func clickPopularity(since time: Int64) throws -> [(news: NewsID, clicks: Int)] {
        try read {
            var counts = try impressionClickCounts(since: time)
            for (news, clicks) in try recordedClickCounts(since: time) { counts[news, default: 0] += clicks }
            return counts.map { (news: $0.key, clicks: $0.value) }
                .sorted { $0.clicks != $1.clicks ? $0.clicks > $1.clicks
                                            : $0.news.rawValue.utf8.lexicographicallyPrecedes($1.news.rawValue.utf8) }
        }
    }

    /// Clicked candidates of the impressions at or after `time`, per news (recorded clicks not included). It
    /// unpacks every impression of the window: cache it by `impressionsGeneration()`.
    public func impressionClickCounts(since time: Int64) throws -> [NewsID: Int] {
        var counts: [NewsID: Int] = [:]
        try forEachCandidate(since: time) { news, label in if label == 1 { counts[news, default: 0] += 1 } }
        return counts
    }

    /// Clicks recorded (`newsrec click`, `POST /v1/clicks`) at or after `time`, per news.
    public func recordedClickCounts(since time: Int64) throws -> [NewsID: Int] {
        try withStatement(SQL.countClicksSince) { statement in
            try statement.bind(time, at: 1)
            var counts: [NewsID: Int] = [:]
            while try statement.step() { counts[NewsID(statement.string(0)), default: 0] += statement.int(1) }
            return counts
        }
    }

    /// A value that changes whenever an ingest writes impressions (the largest impression rowid and ingest run id):
    /// what `impressionClickCounts` and `freshNews` depend on besides their `time`.
    public func impressionsGeneration() throws -> [Int] {
        try withStatement(SQL.impressionsGeneration) { statement in
            _ = try statement.step()
            return [statement.int(0), statement.int(1)]
        }
    }

    /// Calls `body` with every candidate (news, label) of the impressions at or after `time`.
    private func forEachCandidate(since time: Int64, _ body: (NewsID, Int8?) throws -> Void) throws {
        try withStatement(SQL.selectCandidateListsSince) { statement in
            try statement.bind(time, at: 1)
            while try statement.step() {
                try statement.withBlob(0) { bytes in
                    try CandidateList.forEach(bytes.assumingMemoryBound(to: UInt8.self), key: "since \(time)") {
                        try body(NewsID(String(decoding: $0, as: UTF8.self)), $1)
                    }
                }
            }
        }
    }
}
