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
        guard !packed.titles.isEmpty else {
            throw TrainingDataError(source: store.path, expected: "ingested news (run newsrec ingest first)")
        }
        var words = vocabulary ?? Vocabulary(tokens: [Vocabulary.padToken, Vocabulary.unknownToken])
        var news = NewsTable(titleLength: titleLength)
        for (index, id) in packed.newsIDs.enumerated() {
            if index < packed.titles.count {
                let title = packed.titles[index]
                news.add(id, titleTokens: vocabulary == nil ? words.addTokens(of: title)
                                                            : words.encode(title, length: titleLength))
            } else {
                news.add(id, titleTokens: [], defined: false)
            }
        }
        let defined = Int32(packed.titles.count)
        packed.titles = []
        var tables: [Split: ImpressionTable] = [:]
        for split in splits {
            guard let rows = packed.splits.removeValue(forKey: split) else { continue }
            let table = ImpressionTable(taking: rows, historyLength: historyLength) { $0 < defined }
            report(table, split: split, defined: defined, log: log)
            tables[split] = table
        }
        return TrainingCorpus(vocabulary: words, news: news, splits: tables)
    }

    private static func report(_ table: ImpressionTable, split: Split, defined: Int32, log: (String) -> Void) {
        let undefinedCandidates = table.candidates.reduce(0) { $0 + ($1 >= defined ? 1 : 0) }
        if undefinedCandidates > 0 {
            log("\(split.rawValue): \(undefinedCandidates) candidate news without a news row get an empty title")
        }
        if table.unknownHistoryCount > 0 {
            log("\(split.rawValue): \(table.unknownHistoryCount) history clicks on news that no ingested news file "
                + "defines were left out")
        }
    }
}
