import Basics
import Foundation
import NewsModel
import TensorMath

/// Inference over a whole split: every news encoded once, every impression's user once, every candidate scored.
public struct Evaluator<Model: TrainableModel> {
    public let model: Model
    public let parallelism: Parallelism
    /// Titles per `encodeNews` call.
    public var newsChunk = 256
    /// Users per `encodeUsers` call.
    public var userChunk = 256
    private let workspaces: [Model.Workspace]

    /// An evaluator with one workspace per worker.
    public init(model: Model, parallelism: Parallelism) {
        self.model = model
        self.parallelism = parallelism
        self.workspaces = (0..<parallelism.workers).map { _ in model.makeWorkspace(threads: parallelism.threadsPerWorker) }
    }

    /// The vectors of the rows of `news`: `[news.count × dimension]`, encoded in chunks of `newsChunk`
    /// titles spread over the workers.
    /// - Parameter table: when given, only the news its histories and candidates use are encoded (the other rows
    ///   stay zero).
    public func encodeNews(_ news: NewsTable, for table: ImpressionTable? = nil) -> [Float] {
        parallelism.activate()
        let dimension = model.dimension
        var rows = Array(0..<news.count)
        if let table {
            var used = [Bool](repeating: false, count: news.count)
            for row in table.candidates { used[Int(row)] = true }
            for row in table.history { used[Int(row)] = true }
            rows = rows.filter { used[$0] }
        }
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

    /// Scores every candidate of `table`.
    public func score(_ table: ImpressionTable, news: NewsTable) -> SplitScores {
        let newsVectors = encodeNews(news, for: table)
        return score(table, newsVectors: newsVectors)
    }

    /// Scores every candidate of `table` with precomputed news vectors.
    public func score(_ table: ImpressionTable, newsVectors: [Float]) -> SplitScores {
        let userVectors = encodeUsers(table, newsVectors: newsVectors)
        return SplitScores(table: table, newsVectors: newsVectors, userVectors: userVectors,
                           dimension: model.dimension, threads: parallelism.workers)
    }

    /// Runs `body(chunk, workspace)` for every chunk, spreading contiguous runs of chunks over the workers.
    private func forEachChunk(_ count: Int, _ body: (Int, Model.Workspace) -> Void) {
        nonisolated(unsafe) let spaces = workspaces
        parallelForWorkers(count, threads: parallelism.workers) { worker, range in
            for chunk in range { body(chunk, spaces[worker]) }
        }
    }
}
