import Basics
import Distributed
import Foundation
import NewsModel
@testable import Training

/// A small exact model for testing the training loop: a news vector is the mean of its title's word embeddings,
/// a user vector the mean of its history's news vectors, a score their dot product; plain SGD.
///
/// Deterministic and cheap, with hand-written gradients, so the trainer's bookkeeping (sharing a batch among
/// workers, checkpoints, resume) can be checked bit for bit independently of the NRMS model.
final class ToyModel: TrainableModel {
    final class Workspace {
        var gradients: [Float]
        init(count: Int) { gradients = [Float](repeating: 0, count: count) }
    }

    let vocabularySize: Int
    let dimension: Int
    let historyLength: Int
    var embeddings: [Float]
    /// Optimizer steps taken (saved with the parameters, like an optimizer state).
    var steps = 0

    init(vocabularySize: Int, dimension: Int, historyLength: Int, seed: UInt64) {
        self.vocabularySize = vocabularySize
        self.dimension = dimension
        self.historyLength = historyLength
        var random = SplitMix64(seed: seed, keys: 99)
        embeddings = (0..<(vocabularySize * dimension)).map { _ in Float(random.nextIndex(below: 2001) - 1000) / 5000 }
    }

    func makeWorkspace(threads: Int) -> Workspace { Workspace(count: embeddings.count) }

    /// `[count × dimension]` mean word embeddings of the titles.
    func newsVectors(_ titles: PackedSequences) -> [Float] {
        var vectors = [Float](repeating: 0, count: titles.count * dimension)
        for row in 0..<titles.count {
            let tokens = titles[row]
            for token in tokens {
                for k in 0..<dimension {
                    vectors[row * dimension + k] += embeddings[Int(token) * dimension + k] / Float(tokens.count)
                }
            }
        }
        return vectors
    }

    func userVectors(_ histories: PackedSequences, newsVectors: [Float]) -> [Float] {
        var users = [Float](repeating: 0, count: histories.count * dimension)
        for user in 0..<histories.count {
            let entries = histories[user]
            for entry in entries {
                for k in 0..<dimension {
                    users[user * dimension + k] += newsVectors[Int(entry) * dimension + k] / Float(entries.count)
                }
            }
        }
        return users
    }

    func lossAndGradients(_ batch: Batch, workspace: Workspace, dropoutSeed: UInt64, lossDivisor: Int) -> Float {
        let d = dimension, width = batch.candidateCount
        let news = newsVectors(batch.titles)
        let users = userVectors(batch.histories, newsVectors: news)
        var newsGradient = [Float](repeating: 0, count: news.count)
        var loss: Float = 0
        for sample in 0..<batch.size {
            let candidates = batch.candidates[(sample * width)..<((sample + 1) * width)].map(Int.init)
            let scores = candidates.map { c in (0..<d).reduce(Float(0)) { $0 + users[sample * d + $1] * news[c * d + $1] } }
            let top = scores.max()!
            let exps = scores.map { Foundation.exp($0 - top) }
            let total = exps.reduce(0, +)
            loss += -Foundation.log(exps[0] / total)
            var userGradient = [Float](repeating: 0, count: d)
            for (column, c) in candidates.enumerated() {
                let g = (exps[column] / total - (column == 0 ? 1 : 0)) / Float(lossDivisor)
                for k in 0..<d {
                    newsGradient[c * d + k] += g * users[sample * d + k]
                    userGradient[k] += g * news[c * d + k]
                }
            }
            let entries = batch.histories[sample]
            for entry in entries {
                for k in 0..<d { newsGradient[Int(entry) * d + k] += userGradient[k] / Float(entries.count) }
            }
        }
        for index in workspace.gradients.indices { workspace.gradients[index] = 0 }
        for row in 0..<batch.newsCount {
            let tokens = batch.titles[row]
            for token in tokens {
                for k in 0..<d {
                    workspace.gradients[Int(token) * d + k] += newsGradient[row * d + k] / Float(tokens.count)
                }
            }
        }
        return loss / Float(lossDivisor)
    }

    func gradientPayload(of workspace: Workspace) throws -> GradientPayload {
        try GradientPayload(dense: workspace.gradients, width: 0)
    }

    func applyGradient(_ gradient: GradientPayload, learningRate: Float) {
        for index in embeddings.indices { embeddings[index] -= learningRate * gradient.dense[index] }
        steps += 1
    }

    /// Plain SGD defers nothing.
    func synchronizeParameters() {}
    func prepareRows(_ tokens: some Sequence<Int32>) {}

    func encodeNews(_ titles: PackedSequences, workspace: Workspace) -> [Float] {
        newsVectors(titles)
    }

    func encodeUsers(_ histories: PackedSequences, newsVectors: [Float], workspace: Workspace) -> [Float] {
        userVectors(histories, newsVectors: newsVectors)
    }

    func save(to directory: URL) throws {
        var data = withUnsafeBytes(of: Int64(steps)) { Data($0) }
        data.append(embeddings.withUnsafeBufferPointer { Data(buffer: $0) })
        try data.write(to: directory.appendingPathComponent("toy.bin"))
    }

    func load(from directory: URL) throws {
        let data = try Data(contentsOf: directory.appendingPathComponent("toy.bin"))
        steps = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
        embeddings = data.dropFirst(8).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
