import Basics
import Foundation
import Metrics
import TensorMath

/// Every candidate score of one split, aligned with `ImpressionTable.candidates`.
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
                            for position in Int(table.candidateOffsets[impression])..<Int(table.candidateOffsets[impression + 1]) {
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

    /// AUC/MRR/nDCG averaged over the impressions of a labelled table, as MIND's `evaluate.py`.
    /// - Throws: `TrainingDataError` when the table has unlabelled candidates; `MetricsError` on NaN scores.
    public func metrics(for table: ImpressionTable) throws -> MetricsSummary {
        guard table.isLabelled else {
            throw TrainingDataError(source: "split", expected: "click labels on every candidate to compute metrics")
        }
        var accumulator = MetricsAccumulator()
        for index in 0..<table.count {
            let labels = table.labels(of: index).map { $0 == 1 }
            try accumulator.add(labels: labels, scores: Array(scores(of: index, in: table)))
        }
        return accumulator.summary
    }

    /// Writes `prediction.txt` (`ImpressionID [r1,r2,...]`, ranks in candidate order, 1 = best), atomically.
    public func writePredictions(for table: ImpressionTable, to url: URL) throws {
        let lines = (0..<table.count).lazy.map { index in
            LeaderboardLine(impressionID: table.impressionIDs[index],
                            values: ScoreOrder.ranks(scores: Array(scores(of: index, in: table))))
        }
        try PredictionFile.write(lines, to: url)
    }

    /// Writes `ImpressionID<TAB>NewsID<TAB>score` lines, one per candidate, atomically.
    public func writeScores(for table: ImpressionTable, news: NewsTable, to url: URL) throws {
        var text = ""
        text.reserveCapacity(table.candidates.count * 24)
        for index in 0..<table.count {
            let start = Int(table.candidateOffsets[index])
            for (offset, score) in scores(of: index, in: table).enumerated() {
                let id = news.ids[Int(table.candidates[start + offset])]
                text += "\(table.impressionIDs[index])\t\(id.rawValue)\t\(score)\n"
            }
        }
        try AtomicFileWriter.write(Data(text.utf8), to: url)
    }
}
