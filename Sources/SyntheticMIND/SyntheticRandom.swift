import Basics
import Foundation

/// xoshiro256** seeded through SplitMix64: fast, 256-bit state, and deterministic on every platform
/// (the standard library's generator is not seedable).
///
/// Every independent part of the generator (the vocabulary, the news catalog, each user, each news article) draws
/// from its own stream `SyntheticRandom(seed:stream:index:)`, so a part's output depends only on the seed and its
/// index — not on thread scheduling or on how many other parts were generated before it.
struct SyntheticRandom: RandomNumberGenerator {
    private var generator: Xoshiro256StarStar

    /// Named streams, so that the parts never share random numbers.
    enum Stream: UInt64 {
        case lexicon = 1, catalog, article, userProfile, userActivity, userEvents, allocation, calibration,
             baseline, wordVectors
    }

    init(seed: UInt64, stream: Stream, index: UInt64 = 0) {
        var state = SplitMix64.mix(seed ^ (stream.rawValue &* SplitMix64.golden))
        state = SplitMix64.mix(state ^ (index &* SplitMix64.keyIncrement))
        generator = Xoshiro256StarStar(seed: state)
    }

    @inline(__always)
    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in `0..<bound` (bound > 0), by Lemire's multiply-shift (bias < bound/2⁶⁴, negligible).
    @inline(__always)
    mutating func below(_ bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// True with probability `p`.
    @inline(__always)
    mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Standard normal by the Box–Muller transform (the second value of the pair is discarded).
    mutating func normal() -> Double {
        let u1 = 1.0 - uniform()
        let u2 = uniform()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    /// Gamma(shape, 1) by Marsaglia–Tsang; shapes below 1 use the `U^(1/shape)` boost.
    mutating func gamma(shape: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1) * pow(1.0 - uniform(), 1.0 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1.0 / (9.0 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1.0 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1.0 - uniform()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// A Dirichlet draw with concentrations `alphas` (small values give sparse vectors).
    mutating func dirichlet(_ alphas: [Double]) -> [Double] {
        var draws = alphas.map { gamma(shape: $0) }
        var total = draws.reduce(0, +)
        if !(total > 0) {
            draws = [Double](repeating: 0, count: alphas.count)
            draws[below(draws.count)] = 1
            total = 1
        }
        return draws.map { $0 / total }
    }

    /// Fisher–Yates shuffle of `values`.
    mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, below(i + 1))
        }
    }
}

/// Samples an index with probability proportional to fixed weights in O(1) (Vose's alias method).
struct AliasTable: Sendable {
    private let probability: [Double]
    private let alias: [Int32]

    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0, "an alias table needs at least one weight")
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        var probability = [Double](repeating: 1, count: n)
        var alias = [Int32](repeating: 0, count: n)
        var small: [Int] = []
        var large: [Int] = []
        for (index, value) in scaled.enumerated() {
            if value < 1 { small.append(index) } else { large.append(index) }
        }
        while !small.isEmpty && !large.isEmpty {
            let s = small.removeLast()
            let l = large.removeLast()
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] = scaled[l] + scaled[s] - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        self.probability = probability
        self.alias = alias
    }

    func sample(_ random: inout SyntheticRandom) -> Int {
        let column = random.below(probability.count)
        return random.uniform() < probability[column] ? column : Int(alias[column])
    }
}

/// Samples ranks `0..<count` with probability ∝ 1/(rank+1)^exponent (Zipf), by inverse CDF.
struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        precondition(count > 0, "a Zipf sampler needs at least one rank")
        var total = 0.0
        var cumulative = [Double](repeating: 0, count: count)
        for rank in 0..<count {
            total += 1.0 / pow(Double(rank + 1), exponent)
            cumulative[rank] = total
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    func sample(_ random: inout SyntheticRandom) -> Int {
        let u = random.uniform()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > u { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
