import Basics
import Foundation
import TensorMath

/// Adam (Kingma & Ba 2015) with exactly the semantics of `torch.optim.Adam` (no weight decay, no amsgrad):
///
/// ```
/// t += 1
/// m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²
/// p -= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// ```
/// The update is dense over every parameter, as PyTorch's is: word-embedding rows without gradient still
/// decay their moments and keep moving.
///
/// With `defersUntouchedRows`, a word-embedding row without a gradient is not updated at once: it remembers the
/// last step it is current to, and is brought up to date (the skipped steps applied one by one with `g = 0`,
/// exactly the operations the dense update would have done, in the same order) when a batch is about to read it
/// (`catchUp(rows:)`, before the forward pass) or at `synchronize`. The result is bit-identical to the dense update; the work on a large vocabulary moves from a
/// memory-bound pass over the whole embedding every step to cache-resident catch-ups of the rows a batch uses.
public final class Adam: @unchecked Sendable {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// Steps taken so far (PyTorch's `state['step']`).
    public private(set) var stepCount: Int = 0
    /// First and second moments, `[parameters]` in the parameter layout.
    public let firstMoment: Tensor, secondMoment: Tensor
    public let layout: ParameterLayout
    /// Workers for the update loop.
    public var threads: Int
    /// Defer the updates of word-embedding rows without a gradient (see the type's description). Call
    /// `synchronize(parameters:)` before reading the parameters or the moments.
    public var defersUntouchedRows = false
    /// For every word-embedding row, the step count it is current to.
    private var rowSteps: [Int]
    /// Whether the row ever had a gradient (a row that never had one has zero moments and nothing to catch up).
    private var rowTouched: [Bool]
    /// The constants of every step after `synchronizedStep`, oldest first.
    private var pendingUpdates: [Update] = []
    /// Every row is current to at least this step.
    private var synchronizedStep = 0

    public init(layout: ParameterLayout, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, threads: Int = 1) {
        self.layout = layout
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.threads = threads
        firstMoment = Tensor(shape: [layout.count])
        secondMoment = Tensor(shape: [layout.count])
        let rows = layout.entries[0].shape[0]
        rowSteps = Array(repeating: 0, count: rows)
        rowTouched = Array(repeating: false, count: rows)
    }

    /// One update of `parameters` along `gradients` (which must be complete: summed over all shards).
    ///
    /// Every parameter is updated, as in PyTorch: word-embedding rows without a gradient row take `g = 0` (their
    /// moments decay and they keep moving), at once or, with `defersUntouchedRows`, when the row is next needed.
    public func step(parameters: NRMSParameters, gradients: NRMSGradients) {
        precondition(parameters.layout == layout && gradients.layout == layout)
        stepCount += 1
        let t = Double(stepCount)
        let update = Update(stepSize: Float(Double(learningRate) / (1 - pow(Double(beta1), t))),
                            correction2: Float((1 - pow(Double(beta2), t)).squareRoot()),
                            beta1: beta1, beta2: beta2, epsilon: epsilon)
        if defersUntouchedRows {
            pendingUpdates.append(update)
            updateTouchedRows(parameters: parameters, gradients: gradients, update: update)
        } else {
            updateEveryRow(parameters: parameters, gradients: gradients, update: update)
        }
        let start = layout.denseStart
        let p = DisjointWrites(parameters.values.pointer), m = DisjointWrites(firstMoment.pointer)
        let v = DisjointWrites(secondMoment.pointer), g = DisjointWrites(gradients.dense.pointer)
        parallelFor(layout.count - start, threads: threads, minimumChunk: 1 << 16) { range in
            update.apply(p.base + start + range.lowerBound, m.base + start + range.lowerBound,
                         v.base + start + range.lowerBound, g.base + range.lowerBound, count: range.count)
        }
    }

    /// The dense rule over the word embedding: the gradient row when the batch touched it, else zeros.
    private func updateEveryRow(parameters: NRMSParameters, gradients: NRMSGradients, update: Update) {
        let e = gradients.wordDimension, rows = layout.denseStart / e
        let p = DisjointWrites(parameters.values.pointer), m = DisjointWrites(firstMoment.pointer)
        let v = DisjointWrites(secondMoment.pointer)
        let zeros = [Float](repeating: 0, count: e)
        zeros.withUnsafeBufferPointer { zero in
            let none = DisjointWrites(zero.baseAddress!)
            parallelFor(rows, threads: threads, minimumChunk: max(1, (1 << 16) / e)) { range in
                for row in range {
                    let g: UnsafePointer<Float>
                    if let touched = gradients.existingRow(Int32(row)) { g = UnsafePointer(touched) } else { g = UnsafePointer(none.base) }
                    update.apply(p.base + row * e, m.base + row * e, v.base + row * e, g, count: e)
                }
            }
        }
    }

    /// The deferred rule: each row with a gradient catches up on its skipped steps, then takes this one.
    private func updateTouchedRows(parameters: NRMSParameters, gradients: NRMSGradients, update: Update) {
        let e = gradients.wordDimension, ids = gradients.rows
        ids.withUnsafeBufferPointer { ids in
            let list = DisjointWrites(ids.baseAddress!)
            parallelFor(ids.count, threads: threads, minimumChunk: 64) { range in
                for index in range {
                    let row = Int(list.base[index])
                    self.catchUp(row: row, to: self.stepCount - 1, parameters: parameters, width: e)
                    update.apply(parameters.values.pointer + row * e, self.firstMoment.pointer + row * e,
                                 self.secondMoment.pointer + row * e, gradients.rowValues(at: index), count: e)
                }
            }
        }
        for id in ids {
            rowSteps[Int(id)] = stepCount
            rowTouched[Int(id)] = true
        }
    }

    /// Applies the steps `rowSteps[row] + 1 ... step` to `row` with a zero gradient.
    private func catchUp(row: Int, to step: Int, parameters: NRMSParameters, width e: Int) {
        guard rowTouched[row], rowSteps[row] < step else { return }
        let p = parameters.values.pointer + row * e, m = firstMoment.pointer + row * e
        let v = secondMoment.pointer + row * e
        withUnsafeTemporaryAllocation(of: Float.self, capacity: e) { zero in
            zero.initialize(repeating: 0)
            for s in (rowSteps[row] + 1)...step {
                pendingUpdates[s - synchronizedStep - 1].apply(p, m, v, UnsafePointer(zero.baseAddress!), count: e)
            }
        }
    }

    /// Brings the word-embedding rows `rows` up to the current step, so a forward pass may read them: with
    /// `defersUntouchedRows`, a row is otherwise current only up to the last step it had a gradient. (Each id once is
    /// enough; repeats are harmless.)
    public func catchUp(rows: some Sequence<Int32>, parameters: NRMSParameters) {
        guard !pendingUpdates.isEmpty else { return }
        let e = layout.entries[0].shape[1]
        var seen = Set<Int32>()
        let unique = rows.filter { seen.insert($0).inserted }
        unique.withUnsafeBufferPointer { ids in
            let list = DisjointWrites(ids.baseAddress!)
            parallelFor(ids.count, threads: threads, minimumChunk: 64) { range in
                for index in range {
                    self.catchUp(row: Int(list.base[index]), to: self.stepCount, parameters: parameters, width: e)
                }
            }
        }
        for id in unique where rowTouched[Int(id)] { rowSteps[Int(id)] = stepCount }
    }

    /// Brings every deferred word-embedding row up to the current step, so `parameters` and the moments hold what
    /// the dense update would hold. A no-op without `defersUntouchedRows`.
    public func synchronize(parameters: NRMSParameters) {
        guard !pendingUpdates.isEmpty else { return }
        let e = layout.entries[0].shape[1], rows = layout.denseStart / e
        parallelFor(rows, threads: threads, minimumChunk: 256) { range in
            for row in range { self.catchUp(row: row, to: self.stepCount, parameters: parameters, width: e) }
        }
        for row in 0..<rows where rowTouched[row] { rowSteps[row] = stepCount }
        pendingUpdates.removeAll()
        synchronizedStep = stepCount
    }

    /// The constants of one Adam step and its per-element rule.
    struct Update: Sendable {
        let stepSize: Float, correction2: Float, beta1: Float, beta2: Float, epsilon: Float

        /// `m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  p −= stepSize · m / (√v / correction2 + ε)`.
        @inline(__always)
        func apply(_ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                   _ g: UnsafePointer<Float>, count: Int) {
            let b1 = beta1, b2 = beta2, eps = epsilon
            for i in 0..<count {
                let gradient = g[i]
                let mi = b1 * m[i] + (1 - b1) * gradient
                let vi = b2 * v[i] + (1 - b2) * gradient * gradient
                m[i] = mi
                v[i] = vi
                p[i] -= stepSize * mi / (vi.squareRoot() / correction2 + eps)
            }
        }
    }

    // MARK: - State

    /// Takes the moments, step count and learning rate of `other` (same layout; `other` must be synchronized).
    public func copy(from other: Adam) {
        precondition(other.layout == layout && other.pendingUpdates.isEmpty)
        firstMoment.pointer.update(from: other.firstMoment.pointer, count: layout.count)
        secondMoment.pointer.update(from: other.secondMoment.pointer, count: layout.count)
        stepCount = other.stepCount
        learningRate = other.learningRate
        markSynchronized()
    }

    /// After the moments were replaced wholesale: every row is current, and rows with non-zero moments count as
    /// touched.
    private func markSynchronized() {
        let e = layout.entries[0].shape[1]
        pendingUpdates.removeAll()
        synchronizedStep = stepCount
        for row in rowSteps.indices {
            rowSteps[row] = stepCount
            let m = firstMoment.pointer + row * e, v = secondMoment.pointer + row * e
            rowTouched[row] = (0..<e).contains { m[$0] != 0 || v[$0] != 0 }
        }
    }

    /// The optimizer state as tensors `adam.m.<name>`, `adam.v.<name>`, with `step` and the
    /// hyper-parameters in the metadata.
    public func state() -> SafeTensors {
        precondition(pendingUpdates.isEmpty, "synchronize(parameters:) before reading the optimizer state")
        var file = SafeTensors()
        for (moment, tensor) in [("m", firstMoment), ("v", secondMoment)] {
            for entry in layout.entries {
                file.set("adam.\(moment).\(entry.name)", shape: entry.shape,
                         values: UnsafeBufferPointer(start: tensor.pointer + entry.offset, count: entry.count))
            }
        }
        file.metadata = ["step": String(stepCount), "learning_rate": "\(learningRate)", "beta1": "\(beta1)",
                         "beta2": "\(beta2)", "epsilon": "\(epsilon)"]
        return file
    }

    /// Restores moments, step and learning rate from `state()` output read from `path`.
    public func restore(from file: SafeTensors, path: String) throws {
        guard let stepText = file.metadata["step"], let step = Int(stepText), step >= 0 else {
            throw ModelError.invalidFile(path: path, expected: "__metadata__.step, a non-negative integer")
        }
        for (moment, tensor) in [("m", firstMoment), ("v", secondMoment)] {
            for entry in layout.entries {
                let name = "adam.\(moment).\(entry.name)"
                guard let stored = file[name], stored.shape == entry.shape else {
                    throw ModelError.tensorMismatch(path: path, name: name, expected: "shape \(entry.shape)")
                }
                stored.values.withUnsafeBufferPointer {
                    (tensor.pointer + entry.offset).update(from: $0.baseAddress!, count: entry.count)
                }
            }
        }
        stepCount = step
        markSynchronized()
        if let rate = file.metadata["learning_rate"].flatMap(Float.init) { learningRate = rate }
    }
}
