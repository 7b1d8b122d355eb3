import Basics
import Foundation
import NewsModel
import TensorMath

/// Inference over a whole split: every news encoded once, every impression's user once, every candidate scored.
///
/// `evaluate` scores a split a part (`partSize` impressions) at a time, so memory holds the news vectors and one
/// part's user vectors and scores, whatever the size of the split: from an in-memory table (training's dev
/// evaluation) or streamed from a store (`evaluate(split:of:…)`, `newsrec evaluate`). Both give the same bits.
public struct Evaluator<Model: TrainableModel> {
    public let model: Model
    public let parallelism: Parallelism
    /// Titles per `encodeNews` call.
    public var newsChunk = 256
    /// Users per `encodeUsers` call.
    public var userChunk = 256
    /// `encodeUsers` calls per part of a split scored by `evaluate`.
    ///
    /// A vector's last bits depend on which users share its `encodeUsers` call; parts are whole multiples of
    /// `userChunk`, so the calls are the same whatever the part size (and the same as one call over the split).
    public var userChunksPerPart = 32
    private let workspaces: [Model.Workspace]

    /// An evaluator with one workspace per worker.
    public init(model: Model, parallelism: Parallelism) {
        self.model = model
        self.parallelism = parallelism
        self.workspaces = (0..<parallelism.workers).map { _ in
            model.makeWorkspace(threads: parallelism.threadsPerWorker)
        }
    }

    /// The vectors of the rows of `news`: `[news.count × dimension]`, encoded in chunks of `newsChunk`
    /// titles spread over the workers.
    ///
    /// A vector's last bits depend on which titles share its chunk, so the same `used` rows give the same vectors.
    /// - Parameter used: when given, only the rows `r` with `used[r]` are encoded (the other rows stay zero; rows
    ///   past `used.count` count as unused).
    public func encodeNews(_ news: NewsTable, used: [Bool]? = nil) -> [Float] {
        parallelism.activate()
        let dimension = model.dimension
        var rows = Array(0..<news.count)
        if let used { rows = rows.filter { $0 < used.count && used[$0] } }
        let chunks = stride(from: 0, to: rows.count, by: newsChunk).map { $0..<min($0 + newsChunk, rows.count) }
        var vectors = [Float](repeating: 0, count: news.count * dimension)
        vectors.withUnsafeMutableBufferPointer { buffer in
            let output = DisjointWrites(buffer.baseAddress!)
            forEachChunk(chunks.count) { chunkIndex, workspace in
                var titles = PackedSequences()
                for position in chunks[chunkIndex] { titles.append(news.title(at: rows[position])) }
                let encoded = model.encodeNews(titles, workspace: workspace)
                encoded.withUnsafeBufferPointer { source in
                    for (offset, position) in chunks[chunkIndex].enumerated() {
                        (output.base + rows[position] * dimension)
                            .update(from: source.baseAddress! + offset * dimension, count: dimension)
                    }
                }
            }
        }
        return vectors
    }

    /// The user vector of every impression of `table`: `[table.count × dimension]`.
    public func encodeUsers(_ table: ImpressionTable, newsVectors: [Float]) -> [Float] {
        parallelism.activate()
        let dimension = model.dimension
        let length = model.historyLength
        let chunks = stride(from: 0, to: table.count, by: userChunk).map { $0..<min($0 + userChunk, table.count) }
        var vectors = [Float](repeating: 0, count: table.count * dimension)
        vectors.withUnsafeMutableBufferPointer { buffer in
            let output = DisjointWrites(buffer.baseAddress!)
            forEachChunk(chunks.count) { chunkIndex, workspace in
                let chunk = chunks[chunkIndex]
                var histories = PackedSequences()
                for index in chunk { histories.append(table.history(of: index).suffix(length)) }
                let encoded = model.encodeUsers(histories, newsVectors: newsVectors, workspace: workspace)
                encoded.withUnsafeBufferPointer { source in
                    (output.base + chunk.lowerBound * dimension).update(from: source.baseAddress!,
                                                                        count: chunk.count * dimension)
                }
            }
        }
        return vectors
    }

    /// Impressions per part of a split scored by `evaluate`: `userChunk × userChunksPerPart`.
    public var partSize: Int { userChunk * userChunksPerPart }

    /// Scores every candidate of an in-memory `table` a part at a time; writes the requested files and computes
    /// the metrics of a labelled table, as `newsrec evaluate` does from a store.
    /// - Parameters:
    ///   - news: the news table `table`'s rows index; only the news `table` uses are encoded.
    ///   - predictions: where to write `prediction.txt`; `scores`: the `ImpressionID<TAB>NewsID<TAB>score` file.
    /// - Throws: `MetricsError` on a NaN score (metrics) or a file error.
    public func evaluate(_ table: ImpressionTable, news: NewsTable, predictions: URL? = nil, scores: URL? = nil)
        throws -> EvaluationReport {
        var used: [Bool] = []
        table.markNews(in: &used)
        return try evaluate(news: news, used: used, labelled: table.isLabelled,
                            files: (predictions, scores)) { score in
            for start in stride(from: 0, to: table.count, by: partSize) {
                try score(table.slice(start..<min(start + partSize, table.count)))
            }
        }
    }

    /// Encodes the `used` news, then scores every part that `parts` hands over (in ImpressionID order) into an
    /// `EvaluationOutput`. A three-stage pipeline: while the caller reads part k + 2, part k + 1 is scored (users
    /// encoded, all workers) and part k goes to the output (metrics, files; one thread), each in order.
    func evaluate(news: NewsTable, used: [Bool], labelled: Bool, files: (predictions: URL?, scores: URL?),
                  parts: (_ score: (ImpressionTable) throws -> Void) throws -> Void) throws -> EvaluationReport {
        let start = ContinuousClock.now
        let newsVectors = encodeNews(news, used: used)
        let newsDone = ContinuousClock.now
        let output = try EvaluationOutput(metrics: labelled, predictions: files.predictions, scores: files.scores,
                                          newsIDs: news.ids)
        let writer = BackgroundWorker<(SplitScores, ImpressionTable)>(label: "newsrec.evaluate.output") {
            try output.add($0.0, of: $0.1)
        }
        let scorer = BackgroundWorker<ImpressionTable>(label: "newsrec.evaluate.score") { table in
            try writer.submit((score(table, newsVectors: newsVectors), table))
        }
        defer {
            scorer.wait()
            writer.wait()
        }
        var impressions = 0, candidates = 0
        try parts { table in
            try scorer.submit(table)
            impressions += table.count
            candidates += table.candidates.count
        }
        try scorer.finish()
        try writer.finish()
        let metrics = try output.finish()
        return EvaluationReport(impressions: impressions, candidates: candidates, metrics: metrics,
                                encodedNews: used.reduce(0) { $0 + ($1 ? 1 : 0) },
                                newsSeconds: (newsDone - start).inSeconds,
                                scoringSeconds: (ContinuousClock.now - newsDone).inSeconds)
    }

    /// Scores every candidate of `table` with precomputed news vectors.
    public func score(_ table: ImpressionTable, newsVectors: [Float]) -> SplitScores {
        let userVectors = encodeUsers(table, newsVectors: newsVectors)
        return SplitScores(table: table, newsVectors: newsVectors, userVectors: userVectors,
                           dimension: model.dimension, threads: parallelism.workers)
    }

    /// Runs `body(chunk, workspace)` for every chunk, handing the chunks to the workers one at a time (a worker
    /// slowed by other work takes fewer); what a chunk encodes does not depend on the worker.
    private func forEachChunk(_ count: Int, _ body: (Int, Model.Workspace) -> Void) {
        nonisolated(unsafe) let spaces = workspaces
        withoutActuallyEscaping(body) { escapable in
            nonisolated(unsafe) let work = escapable
            _ = parallelMap(jobs: count, threads: parallelism.workers) { chunk, worker in
                work(chunk, spaces[worker])
            }
        }
    }
}
