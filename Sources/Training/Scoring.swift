import Basics
import Foundation
import MIND
import Metrics
import TensorMath

/// Every candidate score of one table (a split, or the part of one that `Evaluator.evaluate` scores at a time),
/// aligned with `ImpressionTable.candidates`.
public struct SplitScores: Sendable {
    /// `[candidates]` click scores (user · news), in the table's flat candidate order.
    public var scores: [Float]

    public init(scores: [Float]) { self.scores = scores }

    /// Scores every candidate of `table` as the dot product of its news vector and its impression's user vector.
    /// - Parameters:
    ///   - newsVectors: `[news × dimension]`, rows indexed by `NewsTable` row.
    ///   - userVectors: `[impressions × dimension]`, one per impression of `table`.
    public init(table: ImpressionTable, newsVectors: [Float], userVectors: [Float], dimension: Int, threads: Int) {
        precondition(userVectors.count == table.count * dimension, "one user vector per impression")
        var scores = [Float](repeating: 0, count: table.candidates.count)
        scores.withUnsafeMutableBufferPointer { output in
            let out = DisjointWrites(output.baseAddress!)
            newsVectors.withUnsafeBufferPointer { newsBuffer in
                userVectors.withUnsafeBufferPointer { userBuffer in
                    let news = DisjointWrites(newsBuffer.baseAddress!)
                    let users = DisjointWrites(userBuffer.baseAddress!)
                    parallelFor(table.count, threads: threads, minimumChunk: 256) { range in
                        for impression in range {
                            let user = users.base + impression * dimension
                            let candidates = Int(table.candidateOffsets[impression])
                                ..< Int(table.candidateOffsets[impression + 1])
                            for position in candidates {
                                let row = news.base + Int(table.candidates[position]) * dimension
                                out.base[position] = VectorMath.dot(row, user, count: dimension)
                            }
                        }
                    }
                }
            }
        }
        self.scores = scores
    }

    /// The scores of impression `index` of `table`.
    public func scores(of index: Int, in table: ImpressionTable) -> ArraySlice<Float> {
        scores[Int(table.candidateOffsets[index])..<Int(table.candidateOffsets[index + 1])]
    }
}

/// What `Evaluator.evaluate` found and how long it took.
public struct EvaluationReport: Sendable {
    /// Impressions and candidates scored.
    public var impressions: Int
    public var candidates: Int
    /// AUC/MRR/nDCG as MIND's `evaluate.py` (nil for an unlabelled split).
    public var metrics: MetricsSummary?
    /// News the split uses (encoded).
    public var encodedNews: Int
    /// Encoding the news; everything after it (reading the parts, encoding users, scoring, metrics, files).
    public var newsSeconds: Double
    public var scoringSeconds: Double
}

/// Where scored impressions go, a part after the other in ImpressionID order: the leaderboard metrics (when asked
/// for), `prediction.txt` and the scores file. Both files are streamed into temporary siblings and moved into place
/// by `finish()`; when evaluation fails first, they are removed and an older file of the same name stays.
public final class EvaluationOutput {
    private var accumulator: MetricsAccumulator?
    private let predictions: LeaderboardFileWriter?
    private let scores: AtomicFileWriter?
    private let newsIDs: [NewsID]

    /// - Parameters:
    ///   - metrics: whether to average AUC/MRR/nDCG (every candidate must then carry a label).
    ///   - predictions: `prediction.txt` (`ImpressionID [r1,r2,...]`, ranks in candidate order, 1 = best).
    ///   - scores: `ImpressionID<TAB>NewsID<TAB>score` lines, one per candidate.
    ///   - newsIDs: the ids of the news rows the tables' candidates index.
    public init(metrics: Bool, predictions: URL?, scores: URL?, newsIDs: [NewsID]) throws {
        accumulator = metrics ? MetricsAccumulator() : nil
        self.predictions = try predictions.map { try PredictionFile.writer(url: $0) }
        self.scores = try scores.map { try AtomicFileWriter(path: $0.path, bufferSize: 1 << 20) }
        self.newsIDs = newsIDs
    }

    /// Adds the impressions of `table` scored by `scores`.
    /// - Throws: `MetricsError` on a NaN score (metrics) or writing `prediction.txt`, `FileError` writing the scores.
    public func add(_ scores: SplitScores, of table: ImpressionTable) throws {
        var line = ""
        for index in 0..<table.count {
            let values = Array(scores.scores(of: index, in: table))
            try accumulator?.add(labels: table.labels(of: index).map { $0 == 1 }, scores: values)
            let impressionID = table.impressionIDs[index]
            try predictions?.write(impressionID: impressionID, values: ScoreOrder.ranks(scores: values))
            guard let file = self.scores else { continue }
            line.removeAll(keepingCapacity: true)
            for (news, score) in zip(table.candidates(of: index), values) {
                line += "\(impressionID)\t\(newsIDs[Int(news)].rawValue)\t\(score)\n"
            }
            try file.write(line)
        }
    }

    /// Moves the files into place and returns the metrics (nil when not asked for).
    public func finish() throws -> MetricsSummary? {
        try predictions?.close()
        try scores?.close()
        return accumulator?.summary
    }
}
