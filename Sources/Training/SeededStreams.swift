/// Deterministic random streams derived from a seed and a tuple of integers (epoch, step, sample, …).
///
/// Each stream is a SplitMix64 generator whose state is the seed mixed with the keys, so the same
/// `(seed, keys)` always yields the same numbers, independent of thread count or the order streams are made.
public struct SeededStream: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A stream for `seed` and the purpose/position `keys`.
    public init(seed: UInt64, _ keys: UInt64...) {
        var state = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for key in keys { state = Self.mix(state ^ Self.mix(key &+ 0xD1B5_4A32_D192_ED03)) }
        self.state = state
    }

    /// The next 64 random bits (SplitMix64).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// The SplitMix64 finaliser.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Purposes of the random streams used by training, so no two uses share numbers.
enum StreamPurpose: UInt64 {
    case negatives = 1, shuffle = 2, dropout = 3, initialization = 4
}
