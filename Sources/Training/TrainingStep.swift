import Basics
import Distributed
import Foundation
import NewsModel

/// One optimizer step over a batch, top to bottom:
///
/// ```
/// batch of samples [range]  → S shards (ShardPlan.block: contiguous, as even as possible)
/// shards of this process    → spread over its threads (contiguous blocks); each shard → its Batch (dedup)
/// the batches' words        → embedding rows brought up to date (the optimizer defers untouched rows)
/// each shard                → forward → loss → backward → GradientPayload
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
    /// Bytes and time of the gradient exchanges of the steps this process ran (zero in a single process).
    private(set) var communication = CommunicationTotals()
    /// Where this process's steps spent their time, and their shards' gradient sizes.
    private(set) var profile = StepProfile()
    private let threads: [ThreadState]

    /// What one thread reuses from step to step: its workspace and batch builder.
    final class ThreadState: @unchecked Sendable {
        let workspace: Model.Workspace
        var builder: BatchBuilder

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
            ThreadState(workspace: model.makeWorkspace(threads: parallelism.threadsPerWorker),
                        newsCount: corpus.news.count)
        }
    }

    /// Trains on the samples `range` of `samples` (global step `step`) and returns the batch's mean loss.
    func step(samples: SampleSet, range: Range<Int>, impressions: ImpressionTable, step: Int) throws -> Float {
        // 1. This process's shards as batches, built by its threads; their words' embedding rows made current.
        var clock = PhaseClock()
        let mine = plan.shards(ofRank: group.rank)
        var batches = [Batch](repeating: Batch(), count: mine.count)
        batches.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots
            forEachShard { shard, state in
                state.builder.build(&slots[shard - mine.lowerBound], samples: samples,
                                    range: ShardPlan.block(shard, of: options.shards, in: range),
                                    impressions: impressions, news: corpus.news, historyLength: model.historyLength)
            }
        }
        profile.batchSeconds += clock.lap()
        model.prepareRows(batches.lazy.flatMap(\.titles.values))
        profile.rowSeconds += clock.lap()
        // 2. Each shard's loss and gradient, computed by the threads.
        var payloads = [GradientPayload?](repeating: nil, count: mine.count)
        var losses = [Float](repeating: 0, count: mine.count)
        let failures = FirstError()
        payloads.withUnsafeMutableBufferPointer { payloadSlots in
            losses.withUnsafeMutableBufferPointer { lossSlots in
                nonisolated(unsafe) let payloadSlots = payloadSlots
                nonisolated(unsafe) let lossSlots = lossSlots
                forEachShard { shard, state in
                    do {
                        let index = shard - mine.lowerBound
                        var stream = SplitMix64(seed: options.seed, keys: StreamPurpose.dropout.rawValue,
                                                UInt64(step), UInt64(shard))
                        lossSlots[index] = try model.lossAndGradients(
                            batches[index], workspace: state.workspace, dropoutSeed: stream.next(),
                            lossDivisor: range.count)
                        payloadSlots[index] = try model.gradientPayload(of: state.workspace)
                    } catch {
                        failures.record(error)
                    }
                }
            }
        }
        try failures.rethrow()
        profile.shardSeconds += clock.lap()
        record(payloads: payloads, batches: batches)
        // 3. The batch's gradient: the root of the shard tree over every process's shards.
        let reduced = try reducer.reduce(shards: payloads.map { $0! }, range: mine)
        communication.add(reduced.stats)
        // 4. The batch's loss, and one optimizer step.
        let loss = try batchLoss(losses)
        profile.reduceSeconds += clock.lap()
        model.applyGradient(reduced.gradient, learningRate: options.learningRate)
        profile.updateSeconds += clock.lap()
        profile.steps += 1
        return loss
    }

    /// Adds this step's shard sizes to the profile.
    private func record(payloads: [GradientPayload?], batches: [Batch]) {
        profile.shards += batches.count
        profile.samples += batches.reduce(0) { $0 + $1.size }
        for payload in payloads {
            profile.gradientRows += payload?.rowCount ?? 0
            profile.payloadBytes += payload?.encodedByteCount ?? 0
        }
    }

    /// Calls `body(shard, thread state)` for every shard of this process, each thread over its block of shards.
    /// `body` may write only what belongs to its shard.
    private func forEachShard(_ body: (Int, ThreadState) -> Void) {
        let rank = group.rank, count = threads.count
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            parallelForWorkers(count, threads: count) { thread, _ in
                for shard in plan.shards(ofThread: thread, of: count, inRank: rank) { body(shard, threads[thread]) }
            }
        }
    }

    /// Σ of every shard's loss in shard order (the other processes' losses gathered first).
    private func batchLoss(_ losses: [Float]) throws -> Float {
        var all = losses
        if group.size > 1 {
            // Every rank's losses as little-endian float bits; the gathered bytes hold them in rank order, which
            // is shard order.
            let bytes = losses.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
            all = try group.allgatherv(bytes).bytes.withUnsafeBytes { gathered in
                stride(from: 0, to: gathered.count, by: 4).map { offset in
                    Float(bitPattern: UInt32(littleEndian: gathered.loadUnaligned(fromByteOffset: offset,
                                                                                  as: UInt32.self)))
                }
            }
        }
        return all.reduce(0, +)
    }
}
