import Foundation

/// What the trainer and the evaluator need from a recommendation model.
///
/// The model owns its parameters and optimizer state; each worker thread owns a `Workspace` (activations and
/// parameter gradients). A training step runs `lossAndGradients` on every worker's part of the batch in parallel,
/// then `applyGradients` once: the sum of the workers' gradients (each divided by the whole batch size) is one
/// optimizer step.
public protocol TrainableModel: AnyObject {
    /// Per-thread scratch memory: activations and the gradients of the last `lossAndGradients`.
    associatedtype Workspace: AnyObject

    /// History slots per user the model reads (`[batch × historyLength]` in `TrainingBatch.histories`).
    var historyLength: Int { get }
    /// Length of the news and user vectors.
    var vectorDimension: Int { get }

    /// A fresh workspace for one worker thread.
    func makeWorkspace() -> Workspace

    /// Forward and backward pass over `batch` (training mode, dropout on).
    ///
    /// Overwrites the workspace's gradients with the gradients of the returned loss.
    /// - Parameters:
    ///   - dropoutSeed: seeds every dropout mask of this call.
    ///   - lossDivisor: the size of the whole batch this part belongs to.
    /// - Returns: the sum over the batch's samples of the softmax cross-entropy (target column 0), divided by
    ///   `lossDivisor`; the parts of a batch add up to its mean loss.
    func lossAndGradients(_ batch: TrainingBatch, workspace: Workspace, dropoutSeed: UInt64,
                          lossDivisor: Int) throws -> Float

    /// One optimizer step along the sum of the workspaces' gradients.
    func applyGradients(from workspaces: [Workspace], learningRate: Float)

    /// News vectors of `count` titles (inference mode).
    /// - Parameters:
    ///   - titles: `[count × titleLength]` token ids, right-padded with 0.
    /// - Returns: `[count × vectorDimension]`.
    func encodeNews(titles: [Int32], count: Int, titleLength: Int, workspace: Workspace) -> [Float]

    /// User vectors from histories of news vectors (inference mode).
    /// - Parameters:
    ///   - histories: `[count × historyLength]` row indices into `newsVectors`, -1 = padding (front).
    ///   - newsVectors: `[news × vectorDimension]`.
    /// - Returns: `[count × vectorDimension]`.
    func encodeUsers(histories: [Int32], count: Int, newsVectors: [Float], workspace: Workspace) -> [Float]

    /// Writes the parameters and the optimizer state into `directory` (which exists and is empty).
    func save(to directory: URL) throws
    /// Replaces the parameters and the optimizer state by those saved in `directory`.
    func load(from directory: URL) throws
}
