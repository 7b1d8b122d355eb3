import Basics
import Distributed
import Foundation
import NewsModel

/// One optimizer step over a batch, top to bottom:
///
/// ```
/// batch of samples [range]  → S shards (ShardPlan.block: contiguous, as even as possible)
/// shards of this process    → spread over its threads (contiguous blocks)
/// each shard                → its Batch (dedup) → forward → loss → backward → GradientPayload
/// all shard gradients       → the fixed shard tree (TreeReducer: exchanged with the other processes)
/// the tree's root           → one Adam step;   the loss = Σ shard losses in shard order
/// ```
/// A shard's work depends only on (seed, step, shard) — its samples, its dropout stream, single-threaded kernels —
/// and the tree only on S, so every layout of processes and threads computes the same bits.
final class TrainingStep<Model: TrainableModel> {
    let model: Model
    let corpus: TrainingCorpus
    let options: TrainingOptions
    let group: ProcessGroup
    let plan: ShardPlan
    let reducer: TreeReducer
    /// Bytes and time of the last step's gradient exchange (zero in a single process).
    private(set) var lastCommunication = CommunicationStats()
    private let threads: [ThreadState]

    /// What one thread reuses from shard to shard: its workspace, batch builder and batch.
    final class ThreadState: @unchecked Sendable {
        let workspace: Model.Workspace
        var builder: BatchBuilder
        var batch = Batch()

        init(workspace: Model.Workspace, newsCount: Int) {
            self.workspace = workspace
            builder = BatchBuilder(newsCount: newsCount)
        }
    }

    init(model: Model, corpus: TrainingCorpus, options: TrainingOptions, parallelism: Parallelism,
         group: ProcessGroup) throws {
        self.model = model
        self.corpus = corpus
        self.options = options
        self.group = group
        do {
            plan = try ShardPlan(shardCount: options.shards, rankCount: group.size)
            reducer = TreeReducer(tree: try ReductionTree(shardCount: options.shards), group: group)
        } catch {
            throw TrainingDataError(source: "options", expected: "a positive number of shards (\(error))")
        }
        threads = (0..<parallelism.workers).map { _ in
            ThreadState(workspace: model.makeWorkspace(threads: parallelism.blasThreads), newsCount: corpus.news.count)
        }
    }

    /// Trains on the samples `range` of `samples` (global step `step`) and returns the batch's mean loss.
    func step(samples: SampleSet, range: Range<Int>, impressions: ImpressionTable, step: Int) throws -> Float {
        // 1. This process's shards, and each one's loss and gradient, computed by its threads.
        let mine = plan.shards(ofRank: group.rank)
        var payloads = [GradientPayload?](repeating: nil, count: mine.count)
        var losses = [Float](repeating: 0, count: mine.count)
        let failures = FirstError()
        payloads.withUnsafeMutableBufferPointer { payloadSlots in
            losses.withUnsafeMutableBufferPointer { lossSlots in
                nonisolated(unsafe) let payloadSlots = payloadSlots, lossSlots = lossSlots
                parallelForWorkers(threads.count, threads: threads.count) { thread, _ in
                    for shard in plan.shards(ofThread: thread, of: threads.count, inRank: group.rank) {
                        do {
                            let (loss, payload) = try trainShard(shard, samples: samples, range: range,
                                                                 impressions: impressions, step: step,
                                                                 on: threads[thread])
                            lossSlots[shard - mine.lowerBound] = loss
                            payloadSlots[shard - mine.lowerBound] = payload
                        } catch {
                            failures.record(error)
                        }
                    }
                }
            }
        }
        try failures.rethrow()
        // 2. The batch's gradient: the root of the shard tree over every process's shards.
        let reduced = try reducer.reduce(shards: payloads.map { $0! }, range: mine)
        lastCommunication = reduced.stats
        // 3. The batch's loss, and one optimizer step.
        let loss = try batchLoss(losses, shards: mine)
        model.applyGradient(reduced.gradient, learningRate: options.learningRate)
        return loss
    }

    /// Forward and backward over shard `shard` of the batch `range`; returns its loss (divided by the whole batch
    /// size) and its gradient.
    private func trainShard(_ shard: Int, samples: SampleSet, range: Range<Int>, impressions: ImpressionTable,
                            step: Int, on state: ThreadState) throws -> (Float, GradientPayload) {
        let shardSamples = ShardPlan.block(shard, of: options.shards, in: range)
        state.builder.build(&state.batch, samples: samples, range: shardSamples, impressions: impressions,
                            news: corpus.news, historyLength: model.historyLength)
        var stream = SplitMix64(seed: options.seed, keys: StreamPurpose.dropout.rawValue, UInt64(step), UInt64(shard))
        let loss = try model.lossAndGradients(state.batch, workspace: state.workspace, dropoutSeed: stream.next(),
                                              lossDivisor: range.count)
        return (loss, try model.gradientPayload(of: state.workspace))
    }

    /// Σ of every shard's loss in shard order (the other processes' losses gathered first).
    private func batchLoss(_ losses: [Float], shards mine: Range<Int>) throws -> Float {
        var all = losses
        if group.size > 1 {
            let gathered = try group.allgatherv(losses.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
            all = (0..<group.size).flatMap { rank in
                stride(from: gathered.ranges[rank].lowerBound, to: gathered.ranges[rank].upperBound, by: 4).map { offset in
                    Float(bitPattern: gathered.bytes[offset..<offset + 4].enumerated()
                        .reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
                }
            }
        }
        return all.reduce(0, +)
    }
}
