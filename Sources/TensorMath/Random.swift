import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator. Same seed, same numbers.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The internal state; advancing it by the golden gamma gives the next output.
    public var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; one pair is drawn per call and the second value discarded,
    /// so the sequence depends only on the seed and the number of calls).
    @inlinable
    public mutating func nextGaussian() -> Double {
        let u1 = 1 - nextUnitDouble()          // (0, 1]: log is finite
        let u2 = nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fills `count` floats at `destination` with `N(mean, standardDeviation²)` samples.
    public mutating func fillGaussian(_ destination: UnsafeMutablePointer<Float>, count: Int,
                                      mean: Float = 0, standardDeviation: Float) {
        for i in 0..<count {
            destination[i] = mean + standardDeviation * Float(nextGaussian())
        }
    }
}

