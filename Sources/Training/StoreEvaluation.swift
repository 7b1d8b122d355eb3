import Foundation
import MIND
import Store

extension Evaluator {
    /// Scores every impression of `split` streamed from `store` (`newsrec evaluate`): memory holds the news table,
    /// the vectors of the news the split uses (`[news × dimension]`) and one part of `partSize` impressions, never
    /// the whole split. The results are the bits of `evaluate(_:news:…)` over the split loaded whole
    /// (`TrainingCorpus.load`).
    ///
    /// Two passes over the split's rows in one read snapshot: the first finds the news the split uses (histories cut
    /// to the model's last `historyLength` known clicks, and candidates), which are then encoded; the second scores
    /// the impressions part by part in ImpressionID order into the metrics and the files.
    /// - Parameters:
    ///   - vocabulary: the checkpoint's vocabulary; titles are cut to `titleLength` tokens.
    ///   - predictions: where to write `prediction.txt`; `scores`: the `ImpressionID<TAB>NewsID<TAB>score` file.
    ///   - log: notes about data left out or filled in (as `TrainingCorpus.load` logs them).
    /// - Throws: `TrainingDataError` when the store has no news or the split no impressions; `MetricsError` on a NaN
    ///   score; store and file errors.
    public func evaluate(split: Split, of store: NewsStore, vocabulary: Vocabulary, titleLength: Int,
                         predictions: URL? = nil, scores: URL? = nil,
                         log: (String) -> Void = { _ in }) throws -> EvaluationReport {
        try store.read { database in
            var packed = try database.packedNews()
            try TrainingCorpus.requireNews(packed.titles, store: store)
            let defined = Int32(packed.titles.count), historyLength = model.historyLength
            func forEachPart(_ body: (ImpressionTable) throws -> Void) throws {
                try database.forEachImpressionChunk(split: split, rows: partSize, news: &packed) { rows in
                    try body(ImpressionTable(taking: rows, historyLength: historyLength) { $0 < defined })
                }
            }
            var used: [Bool] = []
            var impressions = 0, candidates = 0, undefinedCandidates = 0, unknownHistory = 0, unlabelled = false
            try forEachPart { table in
                table.markNews(in: &used)
                impressions += table.count
                candidates += table.candidates.count
                undefinedCandidates += table.candidates.reduce(0) { $0 + ($1 >= defined ? 1 : 0) }
                unknownHistory += table.unknownHistoryCount
                unlabelled = unlabelled || table.labels.contains(ImpressionTable.unlabelled)
            }
            guard impressions > 0 else {
                throw TrainingDataError(source: store.path, expected: "impressions in the \(split.rawValue) split")
            }
            TrainingCorpus.report(split: split, undefinedCandidates: undefinedCandidates,
                                  unknownHistory: unknownHistory, log: log)
            let news = NewsTable(ids: packed.ids(0..<packed.count), titles: packed.titles,
                                 titleLength: titleLength) { vocabulary.encode($0, length: titleLength) }
            return try evaluate(news: news, used: used, labelled: candidates > 0 && !unlabelled,
                                files: (predictions, scores), parts: forEachPart)
        }
    }
}
