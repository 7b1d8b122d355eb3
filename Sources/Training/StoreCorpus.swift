import MIND
import NewsModel
import Store

extension TrainingCorpus {
    /// Reads the store into a corpus (token ids and row indices, no strings kept per impression). Each title is
    /// tokenized once: building the vocabulary and encoding the titles are one pass.
    ///
    /// - Parameters:
    ///   - vocabulary: the vocabulary to encode titles with (a checkpoint's); nil builds one from every title.
    ///   - splits: the splits to read (those without impressions are left out).
    ///   - log: notes about data the corpus leaves out or fills in (candidates without a news row, unknown clicks).
    public static func load(from store: NewsStore, vocabulary: Vocabulary? = nil, splits: [Split],
                            titleLength: Int = 30, historyLength: Int = 50,
                            log: (String) -> Void = { _ in }) throws -> TrainingCorpus {
        var words = vocabulary ?? Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken])
        var news = NewsTable(titleLength: titleLength)
        try store.forEachTitle { id, title in
            let tokens = vocabulary == nil ? words.addTokens(of: title) : words.encode(title, length: titleLength)
            news.add(id, titleTokens: tokens)
        }
        guard news.count > 0 else {
            throw TrainingDataError(source: store.database.path, expected: "ingested news (run newsrec ingest first)")
        }
        let present = Set(try store.splitsWithImpressions())
        var tables: [Split: ImpressionTable] = [:]
        for split in splits where present.contains(split) {
            tables[split] = try loadImpressions(of: split, from: store, news: &news, historyLength: historyLength,
                                                log: log)
        }
        return TrainingCorpus(vocabulary: words, news: news, splits: tables)
    }

    private static func loadImpressions(of split: Split, from store: NewsStore, news: inout NewsTable,
                                        historyLength: Int, log: (String) -> Void) throws -> ImpressionTable {
        var table = ImpressionTable(historyLength: historyLength)
        var unknownCandidates = 0
        try store.forEachImpression(split: split) { impression in
            // A candidate no news file defines is scored from an empty title rather than dropped, so that every
            // impression keeps all its candidates (prediction files need a rank for each).
            for candidate in impression.candidates where news.row(of: candidate.news) == nil {
                news.add(candidate.news, titleTokens: [], defined: false)
                unknownCandidates += 1
            }
            try table.append(impression, news: news, source: "\(split.rawValue) impression")
        }
        if unknownCandidates > 0 {
            log("\(split.rawValue): \(unknownCandidates) candidate news without a news row get an empty title")
        }
        if table.unknownHistoryCount > 0 {
            log("\(split.rawValue): \(table.unknownHistoryCount) history clicks on news that no ingested news file "
                + "defines were left out")
        }
        return table
    }
}
