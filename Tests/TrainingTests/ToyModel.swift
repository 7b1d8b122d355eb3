import Basics
import Foundation
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

    var vectorDimension: Int { dimension }

    func makeWorkspace() -> Workspace { Workspace(count: embeddings.count) }

    /// `[count × dimension]` mean word embeddings of the titles (padding id 0 excluded).
    func newsVectors(_ titles: [Int32], count: Int, titleLength: Int) -> (vectors: [Float], lengths: [Int]) {
        var vectors = [Float](repeating: 0, count: count * dimension)
        var lengths = [Int](repeating: 0, count: count)
        for row in 0..<count {
            let tokens = titles[(row * titleLength)..<((row + 1) * titleLength)].filter { $0 != 0 }
            lengths[row] = tokens.count
            for token in tokens {
                for k in 0..<dimension {
                    vectors[row * dimension + k] += embeddings[Int(token) * dimension + k] / Float(tokens.count)
                }
            }
        }
        return (vectors, lengths)
    }

    func userVectors(_ histories: [Int32], count: Int, newsVectors: [Float]) -> [Float] {
        var users = [Float](repeating: 0, count: count * dimension)
        for user in 0..<count {
            let entries = histories[(user * historyLength)..<((user + 1) * historyLength)].filter { $0 >= 0 }
            for entry in entries {
                for k in 0..<dimension {
                    users[user * dimension + k] += newsVectors[Int(entry) * dimension + k] / Float(entries.count)
                }
            }
        }
        return users
    }

    func lossAndGradients(_ batch: TrainingBatch, workspace: Workspace, dropoutSeed: UInt64, lossDivisor: Int) -> Float {
        let d = dimension
        let (news, lengths) = newsVectors(batch.titles, count: batch.newsCount, titleLength: batch.titleLength)
        let users = userVectors(batch.histories, count: batch.batchSize, newsVectors: news)
        var newsGradient = [Float](repeating: 0, count: news.count)
        var loss: Float = 0
        for sample in 0..<batch.batchSize {
            let candidates = batch.candidates[(sample * batch.width)..<((sample + 1) * batch.width)].map(Int.init)
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
            let entries = batch.histories[(sample * historyLength)..<((sample + 1) * historyLength)].filter { $0 >= 0 }
            for entry in entries {
                for k in 0..<d { newsGradient[Int(entry) * d + k] += userGradient[k] / Float(entries.count) }
            }
        }
        for index in workspace.gradients.indices { workspace.gradients[index] = 0 }
        for row in 0..<batch.newsCount where lengths[row] > 0 {
            for position in 0..<batch.titleLength {
                let token = Int(batch.titles[row * batch.titleLength + position])
                guard token != 0 else { continue }
                for k in 0..<d {
                    workspace.gradients[token * d + k] += newsGradient[row * d + k] / Float(lengths[row])
                }
            }
        }
        return loss / Float(lossDivisor)
    }

    func applyGradients(from workspaces: [Workspace], learningRate: Float) {
        for index in embeddings.indices {
            var sum: Float = 0
            for workspace in workspaces { sum += workspace.gradients[index] }
            embeddings[index] -= learningRate * sum
        }
        steps += 1
    }

    func encodeNews(titles: [Int32], count: Int, titleLength: Int, workspace: Workspace) -> [Float] {
        newsVectors(titles, count: count, titleLength: titleLength).vectors
    }

    func encodeUsers(histories: [Int32], count: Int, newsVectors: [Float], workspace: Workspace) -> [Float] {
        userVectors(histories, count: count, newsVectors: newsVectors)
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
