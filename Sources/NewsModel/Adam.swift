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
    }

    /// One update of `parameters` along `gradients` (which must be complete: summed over all shards).
    ///
    /// Every parameter is updated, as in PyTorch: word-embedding rows without a gradient row take `g = 0` (their
    /// moments decay and they keep moving).
    public func step(parameters: NRMSParameters, gradients: NRMSGradients) {
        precondition(parameters.layout == layout && gradients.layout == layout)
        stepCount += 1
        let t = Double(stepCount)
        let update = Update(stepSize: Float(Double(learningRate) / (1 - pow(Double(beta1), t))),
                            correction2: Float((1 - pow(Double(beta2), t)).squareRoot()),
                            beta1: beta1, beta2: beta2, epsilon: epsilon)
        let p = DisjointWrites(parameters.values.pointer), m = DisjointWrites(firstMoment.pointer)
        let v = DisjointWrites(secondMoment.pointer)
        let e = gradients.wordDimension, start = layout.denseStart, vocabulary = start / e
        // The word embedding, row by row: the gradient row when the batch touched it, else zeros.
        let zeros = [Float](repeating: 0, count: e)
        zeros.withUnsafeBufferPointer { zero in
            let none = DisjointWrites(zero.baseAddress!)
            parallelFor(vocabulary, threads: threads, minimumChunk: max(1, (1 << 16) / e)) { rows in
                for row in rows {
                    let g: UnsafePointer<Float>
                    if let touched = gradients.existingRow(Int32(row)) { g = UnsafePointer(touched) } else { g = UnsafePointer(none.base) }
                    update.apply(p.base + row * e, m.base + row * e, v.base + row * e, g, count: e)
                }
            }
        }
        // Every parameter after the embedding.
        let g = DisjointWrites(gradients.dense.pointer)
        parallelFor(layout.count - start, threads: threads, minimumChunk: 1 << 16) { range in
            update.apply(p.base + start + range.lowerBound, m.base + start + range.lowerBound,
                         v.base + start + range.lowerBound, g.base + range.lowerBound, count: range.count)
        }
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

    /// Takes the moments, step count and learning rate of `other` (same layout).
    public func copy(from other: Adam) {
        precondition(other.layout == layout)
        firstMoment.pointer.update(from: other.firstMoment.pointer, count: layout.count)
        secondMoment.pointer.update(from: other.secondMoment.pointer, count: layout.count)
        stepCount = other.stepCount
        learningRate = other.learningRate
    }

    /// The optimizer state as tensors `adam.m.<name>`, `adam.v.<name>`, with `step` and the
    /// hyper-parameters in the metadata.
    public func state() -> SafeTensors {
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
        if let rate = file.metadata["learning_rate"].flatMap(Float.init) { learningRate = rate }
    }
}
