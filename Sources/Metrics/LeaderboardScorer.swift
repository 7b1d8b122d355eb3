import Foundation

/// Scores a `prediction.txt` against a `truth.txt` the way MIND's `evaluate.py` does.
///
/// The files are walked in lockstep, line by line:
/// - a truth line with `[]` is masked: skipped (its prediction line is consumed and ignored);
/// - when the prediction file has ended, the impression gets all ranks 1 (all tied);
/// - the impression ids of the two lines must be equal, and the rank list as long as the label list;
/// - `y_score = 1 / rank`, then `ImpressionMetrics(labels:scores:)`; the means follow `MetricsSummary`.
/// Prediction lines beyond the end of the truth file are ignored, as in evaluate.py.
///
/// Differences from evaluate.py, all on inputs it cannot score: single-class truth lines are skipped and counted
/// (`MetricsSummary.skipped`) where sklearn raises or returns NaN; a length mismatch is an error naming the line;
/// among duplicate ranks the earlier candidate ranks first (numpy's argsort leaves this unspecified).
public enum LeaderboardScorer {
    /// - Throws: `MetricsError.inconsistentImpression` (id or length mismatch), `MetricsError.malformedLine`,
    ///   `MetricsError.io`.
    public static func score(prediction: URL, truth: URL) throws -> MetricsSummary {
        let truthReader = TruthFile.reader(url: truth)
        let predictionReader = PredictionFile.reader(url: prediction)
        let predictions = try LineSource(url: prediction)
        var accumulator = MetricsAccumulator()
        try truthReader.forEach { _, expected in
            let predictionBytes = try predictions.next()
            guard !expected.values.isEmpty else { return }
            let ranks: [Int]
            if let predictionBytes {
                let predicted = try predictionReader.parse(predictionBytes, line: predictions.lineNumber)
                guard predicted.impressionID == expected.impressionID else {
                    throw MetricsError.inconsistentImpression(
                        file: prediction.path, line: predictions.lineNumber,
                        expected: "impression \(expected.impressionID) (as in \(truth.path)), found \(predicted.impressionID)")
                }
                guard predicted.values.count == expected.values.count else {
                    throw MetricsError.inconsistentImpression(
                        file: prediction.path, line: predictions.lineNumber,
                        expected: "\(expected.values.count) ranks for impression \(expected.impressionID), found \(predicted.values.count)")
                }
                ranks = predicted.values
            } else {
                ranks = Array(repeating: 1, count: expected.values.count)
            }
            try accumulator.add(labels: expected.values.map { $0 == 1 }, scores: ranks.map { 1.0 / Double($0) })
        }
        return accumulator.summary
    }
}
