import Foundation
import TensorMath

/// Click scores: the dot product of each sample's user vector with each of its candidates' news vectors.
///
/// ```
/// scores[b, j] = users[b] · news[candidates[b, j]]          [size × candidates]
/// ```
public final class ClickScores: @unchecked Sendable {
    /// `[size × candidates]` scores of the last `forward` (a prefix of the tensor).
    public let output = Tensor(shape: [0])
    /// `[size × hidden]` gradient of the user vectors from the last `backward`.
    public let userGradient: Tensor
    let hidden: Int

    public init(hidden: Int) {
        self.hidden = hidden
        userGradient = Tensor(shape: [0, hidden])
    }

    /// Scores `size` samples of `width` candidates.
    public func forward(users: UnsafePointer<Float>, news: UnsafePointer<Float>, candidates: [Int32], size: Int,
                        width: Int) {
        output.reserve(rows: size * width)
        userGradient.reserve(rows: size)
        let h = hidden
        for b in 0..<size {
            for j in 0..<width {
                output[b * width + j] = VectorMath.dot(users + b * h, news + Int(candidates[b * width + j]) * h, count: h)
            }
        }
    }

    /// Given `scoreGradient [size × width]`, writes `userGradient` and ADDS the news gradients into
    /// `newsGradient [news × hidden]` (candidates in sample order, then column order).
    public func backward(users: UnsafePointer<Float>, news: UnsafePointer<Float>, candidates: [Int32], size: Int,
                         width: Int, scoreGradient: UnsafePointer<Float>, newsGradient: UnsafeMutablePointer<Float>) {
        let h = hidden
        for b in 0..<size {
            let dUser = userGradient.pointer + b * h
            dUser.update(repeating: 0, count: h)
            for j in 0..<width {
                let dScore = scoreGradient[b * width + j], candidate = Int(candidates[b * width + j])
                VectorMath.axpy(dScore, news + candidate * h, dUser, count: h)
                VectorMath.axpy(dScore, users + b * h, newsGradient + candidate * h, count: h)
            }
        }
    }
}

/// Softmax cross-entropy over each row of scores with the target in column 0 (the clicked news).
///
/// ```
/// p[b, j] = exp(s[b, j] − max_j s[b, ·]) / Σ_j exp(…)
/// loss    = Σ_b (max_b + log Σ_j exp(s[b, j] − max_b) − s[b, 0]) / divisor      (summed in Double)
/// ds[b,j] = (p[b, j] − [j = 0]) / divisor
/// ```
/// `divisor` is the batch size for the mean loss, or the size of the whole batch a shard belongs to.
public final class SoftmaxCrossEntropy: @unchecked Sendable {
    /// `[size × width]` dL/ds of the last `forward`, ready for `ClickScores.backward`.
    public let scoreGradient = Tensor(shape: [0])

    public init() {}

    /// The loss of `scores [size × width]`; keeps the gradient for `backward`.
    public func forward(scores: UnsafePointer<Float>, size: Int, width: Int, divisor: Int) -> Float {
        scoreGradient.reserve(rows: size * width)
        let scale = Float(divisor)
        var total = 0.0
        for b in 0..<size {
            let row = scores + b * width, gradient = scoreGradient.pointer + b * width
            var maximum = row[0]
            for j in 1..<width { maximum = max(maximum, row[j]) }
            var sum: Float = 0, exactSum = 0.0
            for j in 0..<width {
                let e = Foundation.exp(row[j] - maximum)
                gradient[j] = e
                sum += e
                exactSum += Double(e)
            }
            total += Double(maximum) + Foundation.log(exactSum) - Double(row[0])
            for j in 0..<width { gradient[j] = (gradient[j] / sum - (j == 0 ? 1 : 0)) / scale }
        }
        return Float(total / Double(divisor))
    }

    /// dL/ds of the last `forward`, `[size × width]`.
    public func backward() -> UnsafePointer<Float> { UnsafePointer(scoreGradient.pointer) }
}
