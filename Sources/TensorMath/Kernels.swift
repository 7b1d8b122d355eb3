/// Element-wise and row-wise kernels on raw `Float` pointers, vectorised with `SIMD16<Float>`.
///
/// Everything here is `@inlinable` so that callers in other modules (compiled with `-Ounchecked
/// -target-cpu haswell` in release) get the FMA/AVX2 code inlined into their loops.
public enum VectorMath {
    public typealias Vector = SIMD16<Float>

    // MARK: - Transcendentals

    /// `exp(x)` lane-wise, Cephes-style range reduction and degree-5 polynomial (about 1 ulp on
    /// `[-87, 88]`; inputs are clamped to that range, so results stay finite and normal).
    @inlinable @inline(__always)
    public static func exp(_ value: Vector) -> Vector {
        var x = pointwiseMin(pointwiseMax(value, Vector(repeating: -87.33)), Vector(repeating: 88.37))
        let fx = (x * 1.442_695_040_888_963_41 + 0.5).rounded(.down)
        x = x - fx * 0.693_359_375 + fx * 2.121_944_40e-4
        let z = x * x
        var y = Vector(repeating: 1.987_569_150_0e-4)
        y = y * x + 1.398_199_950_7e-3
        y = y * x + 8.333_451_907_3e-3
        y = y * x + 4.166_579_589_4e-2
        y = y * x + 1.666_666_545_9e-1
        y = y * x + 5.000_000_120_1e-1
        y = y * z + x + 1
        // fx is integral in [-126, 127]: adding 1.5·2²³ puts it in the low mantissa bits.
        let shifted = unsafeBitCast(fx + 12_582_912, to: SIMD16<UInt32>.self) &- 0x4B40_0000
        let exponent = (shifted &+ 127) &<< 23
        return y * unsafeBitCast(exponent, to: Vector.self)
    }

    /// `tanh(x)` lane-wise by a 13/6 rational approximation (as in Eigen), a few ulp, exact sign, |y| ≤ 1.
    @inlinable @inline(__always)
    public static func tanh(_ value: Vector) -> Vector {
        let x = pointwiseMin(pointwiseMax(value, Vector(repeating: -9)), Vector(repeating: 9))
        let x2 = x * x
        var p = Vector(repeating: -2.760_768_477_423_55e-16)
        p = p * x2 + 2.000_187_904_824_77e-13
        p = p * x2 - 8.604_671_522_137_35e-11
        p = p * x2 + 5.122_297_090_371_14e-08
        p = p * x2 + 1.485_722_357_179_79e-05
        p = p * x2 + 6.372_619_288_754_36e-04
        p = p * x2 + 4.893_524_558_917_86e-03
        p = p * x
        var q = Vector(repeating: 1.198_258_394_667_02e-06)
        q = q * x2 + 1.185_347_056_866_54e-04
        q = q * x2 + 2.268_434_632_439_00e-03
        q = q * x2 + 4.893_525_185_543_85e-03
        let y = p / q
        return pointwiseMin(pointwiseMax(y, Vector(repeating: -1)), Vector(repeating: 1))
    }

    /// Applies a lane-wise SIMD function to `count` floats in place (the tail goes through a padded vector).
    @inlinable @inline(__always)
    public static func apply(_ x: UnsafeMutablePointer<Float>, count: Int, _ function: (Vector) -> Vector) {
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            raw.storeBytes(of: function(v), toByteOffset: i * 4, as: Vector.self)
            i += 16
        }
        if i < count {
            var v = Vector()
            for j in 0..<(count - i) { v[j] = x[i + j] }
            let r = function(v)
            for j in 0..<(count - i) { x[i + j] = r[j] }
        }
    }

    /// `x = exp(x)` for `count` elements.
    @inlinable public static func expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        apply(x, count: count) { exp($0) }
    }

    /// `x = tanh(x)` for `count` elements.
    @inlinable public static func tanhInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        apply(x, count: count) { tanh($0) }
    }

    // MARK: - BLAS-1 style

    /// `Σ a[i]·b[i]`, with 16-lane accumulators.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = Vector(), acc1 = Vector()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 32 <= count {
            acc0.addProduct(ra.loadUnaligned(fromByteOffset: i * 4, as: Vector.self),
                            rb.loadUnaligned(fromByteOffset: i * 4, as: Vector.self))
            acc1.addProduct(ra.loadUnaligned(fromByteOffset: i * 4 + 64, as: Vector.self),
                            rb.loadUnaligned(fromByteOffset: i * 4 + 64, as: Vector.self))
            i += 32
        }
        while i + 16 <= count {
            acc0.addProduct(ra.loadUnaligned(fromByteOffset: i * 4, as: Vector.self),
                            rb.loadUnaligned(fromByteOffset: i * 4, as: Vector.self))
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// `Σ a[i]·b[i]` for two arrays of equal length.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot of vectors of different lengths \(a.count) and \(b.count)")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, count: a.count) }
        }
    }

    /// `y[i] += alpha · x[i]`.
    @inlinable
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    /// `y[i] += x[i]`.
    @inlinable
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// `x[i] *= alpha`.
    @inlinable
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        for i in 0..<count { x[i] *= alpha }
    }

    /// `Σ x[i]`.
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = Vector()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= count {
            acc += raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            i += 16
        }
        var total = acc.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    // MARK: - Row-wise

    /// `y[r, c] += bias[c]` for a `[rows × columns]` matrix.
    @inlinable
    public static func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = y + r * columns
            for c in 0..<columns { row[c] += bias[c] }
        }
    }

    /// `sums[c] += Σ_r x[r, c]` for a `[rows × columns]` matrix (bias gradients).
    @inlinable
    public static func accumulateColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int,
                                            into sums: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * columns
            for c in 0..<columns { sums[c] += row[c] }
        }
    }

    // MARK: - Masked softmax

    /// Softmax over positions, independently for each lane, in place, with padding excluded.
    ///
    /// `scores` is `[positions × lanes]` (lane = attention head; use `lanes: 1` for a plain vector).
    /// For each lane: `p_i = mask_i · exp(scale·s_i − m) / Σ_j mask_j · exp(scale·s_j − m)`.
    /// A masked position gets exactly 0; a lane with no real position gets all zeros.
    ///
    /// - Parameters:
    ///   - mask: `[positions]`, 1 for real and 0 for padding; `nil` means all real.
    ///   - scale: multiplies the scores before the softmax (e.g. `1/√d`).
    ///   - workspace: at least `2 · lanes` floats of scratch.
    @inlinable
    public static func maskedSoftmax(_ scores: UnsafeMutablePointer<Float>, positions: Int, lanes: Int,
                                     mask: UnsafePointer<Float>?, scale: Float,
                                     workspace: UnsafeMutablePointer<Float>) {
        let maxima = workspace, sums = workspace + lanes
        for l in 0..<lanes {
            maxima[l] = -.infinity
            sums[l] = 0
        }
        var real = 0
        for i in 0..<positions where mask.map({ $0[i] != 0 }) ?? true {
            real += 1
            let row = scores + i * lanes
            for l in 0..<lanes {
                let v = row[l] * scale
                row[l] = v
                maxima[l] = max(maxima[l], v)
            }
        }
        if real == 0 {
            scores.update(repeating: 0, count: positions * lanes)
            return
        }
        for i in 0..<positions {
            let row = scores + i * lanes
            if let mask, mask[i] == 0 {
                row.update(repeating: 0, count: lanes)
            } else {
                for l in 0..<lanes { row[l] -= maxima[l] }
            }
        }
        expInPlace(scores, count: positions * lanes)
        for i in 0..<positions {
            let row = scores + i * lanes
            if let mask, mask[i] == 0 {
                row.update(repeating: 0, count: lanes)
            } else {
                for l in 0..<lanes { sums[l] += row[l] }
            }
        }
        for l in 0..<lanes { sums[l] = 1 / sums[l] }
        for i in 0..<positions {
            let row = scores + i * lanes
            for l in 0..<lanes { row[l] *= sums[l] }
        }
    }

    /// Backward of `maskedSoftmax`: turns `gradient` (dL/dp, `[positions × lanes]`) into dL/ds in place:
    /// `ds_i = scale · p_i · (g_i − Σ_j p_j g_j)`. Masked positions (p = 0) get 0.
    ///
    /// - Parameter workspace: at least `lanes` floats of scratch.
    @inlinable
    public static func maskedSoftmaxBackward(probabilities: UnsafePointer<Float>,
                                             gradient: UnsafeMutablePointer<Float>,
                                             positions: Int, lanes: Int, scale: Float,
                                             workspace: UnsafeMutablePointer<Float>) {
        let inner = workspace
        for l in 0..<lanes { inner[l] = 0 }
        for i in 0..<positions {
            let p = probabilities + i * lanes, g = gradient + i * lanes
            for l in 0..<lanes { inner[l] += p[l] * g[l] }
        }
        for i in 0..<positions {
            let p = probabilities + i * lanes, g = gradient + i * lanes
            for l in 0..<lanes { g[l] = scale * p[l] * (g[l] - inner[l]) }
        }
    }

    // MARK: - Dropout

    /// The 32-bit hash behind `dropout`: a stateless function of the element index and the seed, so forward
    /// and backward regenerate the same mask without storing it, and any split over threads gives the same mask.
    @inlinable @inline(__always)
    public static func dropoutHash(_ index: UInt32, seed: UInt64) -> UInt32 {
        var h = index ^ UInt32(truncatingIfNeeded: seed)
        h ^= h >> 16
        h = h &* 0x85EB_CA6B
        h ^= h >> 13
        h = h &* 0xC2B2_AE35
        h ^= h >> 16
        h ^= UInt32(truncatingIfNeeded: seed >> 32)
        h ^= h >> 16
        h = h &* 0x85EB_CA6B
        h ^= h >> 13
        h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    /// Inverted dropout: `y[i] = x[i] · keep_i / (1 − p)` where `keep_i` is 0 with probability `p`,
    /// drawn from `dropoutHash(offset + i, seed)`. `x` and `y` may alias. Backward is the same call on
    /// the gradients (same seed, same offset).
    @inlinable
    public static func dropout(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                               probability: Float, seed: UInt64, offset: Int = 0) {
        let threshold = UInt32(min(Double(probability), 1) * 16_777_216)   // compared with 24 hash bits
        let keepScale: Float = probability >= 1 ? 0 : 1 / (1 - probability)
        let start = UInt32(truncatingIfNeeded: offset)
        for i in 0..<count {
            let bits = dropoutHash(start &+ UInt32(truncatingIfNeeded: i), seed: seed) >> 8
            y[i] = bits >= threshold ? x[i] * keepScale : 0
        }
    }
}
