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

    public func applyGradients(from workspaces: [Workspace], learningRate: Float) {
        guard let first = workspaces.first else { return }
        for other in workspaces.dropFirst() { first.gradients.add(other.gradients) }
        optimizer.learningRate = learningRate
        optimizer.step(parameters: parameters, gradients: first.gradients)
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
