import MIND

/// Impressions with their candidates, one at a time or streamed per split.
extension Database {
    /// The impression `id` of `split` with its history and candidates in file order, or nil when absent.
    public func impression(split: Split, id: Int) throws -> Impression? {
        try read {
            try withStatement(SQL.selectImpression) { statement in
                try statement.bind(split.rawValue, at: 1)
                try statement.bind(id, at: 2)
                guard try statement.step() else { return nil }
                return try readImpression(statement, split: split)
            }
        }
    }

    /// Calls `body` with every impression of `split` in ImpressionID order (streaming, constant memory), in one
    /// read transaction.
    public func forEachImpression(split: Split, _ body: (Impression) throws -> Void) throws {
        try read {
            // Not the cached statement: `body` may query this connection while the iteration is open.
            let statement = try prepare(SQL.selectImpressions)
            try statement.bind(split.rawValue, at: 1)
            while try statement.step() { try body(try readImpression(statement, split: split)) }
        }
    }

    /// The splits that have at least one impression, in `Split.allCases` order.
    public func splitsWithImpressions() throws -> [Split] {
        let found = Set(try textColumn(SQL.selectSplits))
        return Split.allCases.filter { found.contains($0.rawValue) }
    }

    /// The number of impressions of `split`.
    public func impressionCount(split: Split) throws -> Int {
        try scalarInt(SQL.countImpressions, [.text(split.rawValue)]) ?? 0
    }

    /// The impression at the current row of `statement` (columns: id, user, time, history, candidate list).
    private func readImpression(_ statement: Statement, split: Split) throws -> Impression {
        let id = statement.int(0)
        return Impression(id: id, user: UserID(statement.string(1)), time: statement.int64(2),
                          history: Self.splitHistory(statement.string(3)),
                          candidates: try CandidateList.decode(statement.string(4), key: "\(split.rawValue) \(id)"))
    }
}
