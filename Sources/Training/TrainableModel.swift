import Foundation
import Distributed
import NewsModel

/// What the trainer and the evaluator need from a recommendation model: `NRMSModel` (NewsModel) is the one real
/// implementation; tests use a tiny exact model to check the training loop's bookkeeping on its own.
///
/// The model owns its parameters and optimizer state; each worker thread owns a `Workspace` (activations and
/// parameter gradients). A training step runs `lossAndGradients` on every shard of the batch (on whichever process
/// and thread owns it), turns each shard's gradient into a `GradientPayload`, combines them in the fixed shard tree
/// (`TreeReducer`), then `applyGradient` once: one optimizer step along the whole batch's gradient.
public protocol TrainableModel: AnyObject {
    /// Per-thread scratch memory: activations and the gradients of the last `lossAndGradients`.
    associatedtype Workspace: AnyObject

    /// Clicks per user the model reads (histories are cut to the last `historyLength`).
    var historyLength: Int { get }
    /// Length of the news and user vectors.
    var dimension: Int { get }

    /// A fresh workspace for one worker thread, whose per-sequence loops use `threads` threads.
    func makeWorkspace(threads: Int) -> Workspace

    /// Forward and backward pass over `batch` (training mode, dropout on).
    ///
    /// Overwrites the workspace's gradients with the gradients of the returned loss.
    /// - Parameters:
    ///   - dropoutSeed: seeds every dropout mask of this call.
    ///   - lossDivisor: the size of the whole batch this part belongs to.
    /// - Returns: the sum over the batch's samples of the softmax cross-entropy (target column 0), divided by
    ///   `lossDivisor`; the parts of a batch add up to its mean loss.
    func lossAndGradients(_ batch: Batch, workspace: Workspace, dropoutSeed: UInt64, lossDivisor: Int) throws -> Float

    /// The gradient of the last `lossAndGradients` of `workspace`, in the exchange format of the shard tree
    /// (dense part plus sorted word-embedding rows; `width` 0 for a model without sparse rows).
    func gradientPayload(of workspace: Workspace) throws -> GradientPayload

    /// One optimizer step along a complete gradient (the root of the shard tree).
    func applyGradient(_ gradient: GradientPayload, learningRate: Float)

    /// Brings the parameters that a forward pass over `tokens` reads up to date, when the optimizer defers part of
    /// its updates. Called once per step, before the shards' forward passes.
    func prepareRows(_ tokens: some Sequence<Int32>)

    /// Brings the parameters up to date when the optimizer defers part of its updates; the trainer calls it before
    /// anything reads the parameters (evaluation, the end of a run; checkpoints synchronize themselves).
    func synchronizeParameters()

    /// News vectors `[titles.count × dimension]` (inference mode).
    func encodeNews(_ titles: PackedSequences, workspace: Workspace) -> [Float]

    /// User vectors `[histories.count × dimension]` (inference mode) from histories of rows of
    /// `newsVectors [news × dimension]`, oldest first.
    func encodeUsers(_ histories: PackedSequences, newsVectors: [Float], workspace: Workspace) -> [Float]

    /// Writes the parameters and the optimizer state into `directory` (which exists and is empty).
    func save(to directory: URL) throws
    /// Replaces the parameters and the optimizer state by those saved in `directory`.
    func load(from directory: URL) throws
}
