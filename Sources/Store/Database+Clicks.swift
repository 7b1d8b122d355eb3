import MIND

/// What the store knows a user has clicked, oldest first.
public struct UserHistory: Hashable, Sendable {
    public var user: UserID
    /// The latest impression's history followed by clicks recorded after it.
    public var news: [NewsID]
    /// The time of the latest impression or recorded click (Unix seconds).
    public var time: Int64
    /// Where the impression history came from (nil when the user only has recorded clicks).
    public var split: Split?
    public var impressionID: Int?
}

/// A click names a news the store does not hold (no ingested news file defines it); nothing was recorded.
public struct UnknownClickedNewsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The clicks file and 1-based line of the first such click; nil for a click given on the command line.
    public var file: String?
    public var line: Int
    public var news: NewsID
    /// How many distinct unknown news the clicks name.
    public var unknownCount: Int

    public init(file: String?, line: Int, news: NewsID, unknownCount: Int) {
        self.file = file
        self.line = line
        self.news = news
        self.unknownCount = unknownCount
    }

    public var description: String {
        let place = file.map { "\($0):\(line): " } ?? ""
        let others = unknownCount > 1 ? " (\(unknownCount) unknown news in all)" : ""
        return "\(place)expected a news id of the store, found \(news)\(others); nothing recorded"
    }
}

/// Users' click histories and recorded clicks (table `clicks`, appended after ingest by `newsrec click` or a
/// serving front end).
extension Database {
    /// The latest known history of `user`: the history of their latest impression (by time, over all splits)
    /// followed by the clicks recorded after that impression, in (time, recording) order. Nil when the user has no
    /// impression and no click. One read transaction.
    public func latestHistory(of user: UserID) throws -> UserHistory? {
        try latestHistory(of: user, keepingLast: nil)
    }

    /// `latestHistory(of:)`, reading only the last `limit` news of the impression history (nil: all of it); the
    /// clicks recorded after it are all appended.
    func latestHistory(of user: UserID, keepingLast limit: Int?) throws -> UserHistory? {
        try read {
            var history = UserHistory(user: user, news: [], time: Int64.min, split: nil, impressionID: nil)
            let found = try withStatement(SQL.selectUserHistory) { snapshot in
                try snapshot.bind(user.rawValue, at: 1)
                guard try snapshot.step() else { return false }
                history.split = Split(rawValue: snapshot.string(0))
                history.impressionID = snapshot.int(1)
                history.time = snapshot.int64(2)
                history.news = Self.splitHistory(snapshot.string(3), last: limit)
                return true
            }
            let clicked = try withStatement(SQL.selectClicksAfter) { clicks in
                try clicks.bind(user.rawValue, at: 1)
                try clicks.bind(history.time, at: 2)
                var any = false
                while try clicks.step() {
                    any = true
                    history.news.append(NewsID(clicks.string(0)))
                    history.time = max(history.time, clicks.int64(1))
                }
                return any
            }
            return found || clicked ? history : nil
        }
    }

    /// The click history of `user` the ranker reads: `latestHistory(of:)`'s news, keeping only the last `limit`
    /// (nil: all). Nil when the store knows nothing of the user; empty when it knows the user but not a click.
    public func history(of user: UserID, limit: Int? = nil) throws -> [NewsID]? {
        guard var news = try latestHistory(of: user, keepingLast: limit)?.news else { return nil }
        if let limit, news.count > limit { news.removeFirst(news.count - limit) }
        return news
    }

    /// Appends a click of `user` on `news` at `time` (Unix seconds) to the user's history.
    public func recordClick(user: UserID, news: NewsID, time: Int64) throws {
        try recordClicks([Click(user: user, news: news, time: time)])
    }

    /// Appends clicks to users' histories in one transaction: all are recorded, or none (on any error).
    public func recordClicks(_ clicks: [Click]) throws {
        try write {
            try withStatement(SQL.insertClick) { insert in
                for click in clicks {
                    try insert.bind(click.user.rawValue, at: 1)
                    try insert.bind(click.news.rawValue, at: 2)
                    try insert.bind(click.time, at: 3)
                    try insert.run()
                }
            }
        }
    }

    /// The number of recorded clicks (table `clicks`).
    public func recordedClickCount() throws -> Int { try scalarInt(SQL.countClicks) ?? 0 }

    /// A space-separated history column as ids: all of them, or the last `last` (a MIND history can hold hundreds
    /// of ids, of which the ranker reads 50).
    static func splitHistory(_ text: String, last: Int? = nil) -> [NewsID] {
        guard let last else { return text.split(separator: " ").map { NewsID(String($0)) } }
        let utf8 = text.utf8, first = utf8.startIndex
        var ids: [NewsID] = []
        var end = utf8.endIndex, index = end
        while ids.count < last && index > first {
            index = utf8.index(before: index)
            guard utf8[index] == UInt8(ascii: " ") else { continue }
            let next = utf8.index(after: index)
            if next < end { ids.append(NewsID(String(text[next ..< end]))) }
            end = index
        }
        if ids.count < last && index == first && first < end { ids.append(NewsID(String(text[first ..< end]))) }
        return ids.reversed()
    }
}
