import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator. Same seed, same numbers.
///
/// The one seeded generator of newsrec. A generator is either seeded directly (`init(seed:)`) or derived from a
/// seed and a tuple of keys (`init(seed:keys:)`: purpose, epoch, step, sample, …), so that independent parts of a
/// computation draw from independent streams whatever the thread count or the order the streams are made in.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The golden-ratio increment of the state (2⁶⁴/φ); also the multiplier of the hash mixers elsewhere (inlined
    /// as a constant at every use).
    @inlinable public static var golden: UInt64 { 0x9E37_79B9_7F4A_7C15 }
    /// The constant that separates keys from the seed in `init(seed:keys:)`.
    public static let keyIncrement: UInt64 = 0xD1B5_4A32_D192_ED03

    /// The internal state; advancing it by `golden` gives the next output.
    public var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// A stream for `seed` and the purpose/position `keys`: the seed is mixed with each key in turn.
    public init(seed: UInt64, keys: UInt64...) { self.init(seed: seed, keys: keys) }

    /// A stream for `seed` and `keys` (see `init(seed:keys:)`).
    public init(seed: UInt64, keys: [UInt64]) {
        var state = Self.mix(seed &+ Self.golden)
        for key in keys { state = Self.mix(state ^ Self.mix(key &+ Self.keyIncrement)) }
        self.state = state
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mix.
    @inlinable @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= Self.golden
        return Self.mix(state)
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection: exactly uniform).
    @inlinable
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

/// xoshiro256** (Blackman & Vigna 2018): 256 bits of state, seeded through `SplitMix64`. Faster than SplitMix64
/// per number and with a longer period; the synthetic-data generator draws billions of numbers from it.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The state is four successive outputs of `SplitMix64(seed: seed)`.
    public init(seed: UInt64) {
        var seeding = SplitMix64(seed: seed)
        s0 = seeding.next()
        s1 = seeding.next()
        s2 = seeding.next()
        s3 = seeding.next()
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let product = s1 &* 5
        let result = (product << 7 | product >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }
}
