import MIND
import NewsModel
import Store

extension TrainingCorpus {
    /// Reads the store into a corpus (token ids and row indices, no strings kept per impression) through the
    /// store's bulk read (`Database.packedCorpus`). Each title is tokenized once: building the vocabulary and
    /// encoding the titles are one pass.
    ///
    /// News rows follow the store's news indices: the articles in ingest order, then the ids that impressions
    /// mention but no news file defines (empty titles, in `NewsTable.undefinedRows`: candidates keep them so every
    /// impression can be scored; history entries on them are left out and counted).
    /// - Parameters:
    ///   - vocabulary: the vocabulary to encode titles with (a checkpoint's); nil builds one from every title.
    ///   - splits: the splits to read (those without impressions are left out).
    ///   - log: notes about data the corpus leaves out or fills in.
    public static func load(from store: NewsStore, vocabulary: Vocabulary? = nil, splits: [Split],
                            titleLength: Int = 30, historyLength: Int = 50,
                            log: (String) -> Void = { _ in }) throws -> TrainingCorpus {
        var packed = try store.read { try $0.packedCorpus(splits: splits) }
        try requireNews(packed.titles, store: store)
        var words = vocabulary ?? Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken])
        let news = NewsTable(ids: packed.newsIDs, titles: packed.titles, titleLength: titleLength) { title in
            vocabulary == nil ? words.addTokens(of: title) : words.encode(title, length: titleLength)
        }
        let defined = Int32(packed.titles.count)
        packed.titles = []
        var tables: [Split: ImpressionTable] = [:]
        for split in splits {
            guard let rows = packed.splits.removeValue(forKey: split) else { continue }
            let table = ImpressionTable(taking: rows, historyLength: historyLength) { $0 < defined }
            report(split: split, undefinedCandidates: table.candidates.reduce(0) { $0 + ($1 >= defined ? 1 : 0) },
                   unknownHistory: table.unknownHistoryCount, log: log)
            tables[split] = table
        }
        return TrainingCorpus(vocabulary: words, news: news, splits: tables)
    }

    /// - Throws: `TrainingDataError` when the store has no articles.
    static func requireNews(_ titles: [String], store: NewsStore) throws {
        guard !titles.isEmpty else {
            throw TrainingDataError(source: store.path, expected: "ingested news (run newsrec ingest first)")
        }
    }

    /// Logs what a split's rows left out or filled in: candidates on news without a news row (scored with an empty
    /// title) and history clicks on such news (dropped).
    static func report(split: Split, undefinedCandidates: Int, unknownHistory: Int, log: (String) -> Void) {
        if undefinedCandidates > 0 {
            log("\(split.rawValue): \(undefinedCandidates) candidate news without a news row get an empty title")
        }
        if unknownHistory > 0 {
            log("\(split.rawValue): \(unknownHistory) history clicks on news that no ingested news file "
                + "defines were left out")
        }
    }
}

extension NewsTable {
    /// The news table of a packed read: row `i < titles.count` is `ids[i]` with the tokens `encode(titles[i])`, the
    /// rows after them are the ids without a news row (empty titles, in `undefinedRows`).
    init(ids: [NewsID], titles: [String], titleLength: Int, encode: (String) -> [Int32]) {
        self.init(titleLength: titleLength)
        for (index, id) in ids.enumerated() {
            if index < titles.count {
                add(id, titleTokens: encode(titles[index]))
            } else {
                add(id, titleTokens: [], defined: false)
            }
        }
    }
}
