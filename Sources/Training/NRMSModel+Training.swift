import Distributed
import Foundation
import MIND
import NewsModel

extension NRMSModel: TrainableModel {
    public func lossAndGradients(_ batch: Batch, workspace: Workspace, dropoutSeed: UInt64,
                                 lossDivisor: Int) throws -> Float {
        workspace.gradients.zero()
        let loss = try forward(batch, workspace: workspace, dropoutSeed: dropoutSeed, lossDivisor: lossDivisor)
        backward(batch, workspace: workspace)
        return loss
    }

    public func gradientPayload(of workspace: Workspace) throws -> GradientPayload {
        let gradients = workspace.gradients
        gradients.sortRows()
        let e = gradients.wordDimension
        return try GradientPayload(dense: gradients.dense.toArray(), rowIDs: gradients.rows,
                                   rowValues: Array(UnsafeBufferPointer(start: gradients.rowValues(at: 0),
                                                                        count: gradients.rows.count * e)),
                                   width: e)
    }

    public func applyGradient(_ gradient: GradientPayload, learningRate: Float) {
        gradient.dense.withUnsafeBufferPointer { dense in
            gradient.rowValues.withUnsafeBufferPointer { rows in
                applyGradient(dense: dense, rowIDs: gradient.rowIDs, rowValues: rows, learningRate: learningRate)
            }
        }
    }

    public func encodeUsers(_ histories: PackedSequences, newsVectors: [Float], workspace: Workspace) -> [Float] {
        newsVectors.withUnsafeBufferPointer { encodeUsers(histories, newsVectors: $0.baseAddress!, workspace: workspace) }
    }

    public func save(to directory: URL) throws {
        try Checkpoint.writeFiles(of: self, into: directory)
    }

    /// Loads parameters and optimizer state saved by `save(to:)` (same configuration and vocabulary).
    public func load(from directory: URL) throws {
        let saved = try Checkpoint.load(from: directory)
        guard saved.configuration == configuration else {
            throw TrainingDataError(source: directory.path, expected: "a checkpoint of the configuration being trained")
        }
        guard saved.vocabulary == vocabulary else {
            throw TrainingDataError(source: directory.path, expected: "the vocabulary built from the store")
        }
        guard Checkpoint.hasOptimizerState(directory) else {
            throw TrainingDataError(source: directory.path, expected: "optimizer.safetensors to resume training")
        }
        parameters.copy(from: saved.parameters)
        optimizer.copy(from: saved.optimizer)
    }
}
