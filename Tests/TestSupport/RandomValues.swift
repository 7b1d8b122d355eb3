import Basics

/// `count` samples of N(0, scale²) from `SplitMix64(seed:)`: reproducible test inputs.
public func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in scale * Float(rng.nextGaussian()) }
}

/// Whether `a` and `b` agree within `relative` of the larger magnitude, or within `absolute` near zero.
public func isClose(_ a: Float, _ b: Float, relative: Float = 1e-5, absolute: Float = 1e-6) -> Bool {
    abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
}
