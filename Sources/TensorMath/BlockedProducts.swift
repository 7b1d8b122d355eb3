import Basics

extension BLAS {
    /// Rows (or columns) per block of the blocked products.
    public static let blockSize = 128

    /// `gemm` split into fixed blocks, each computed by one single-threaded `cblas_sgemm`, spread over `threads`
    /// workers.
    ///
    /// The blocks depend only on the shape (`C`'s rows in blocks of `blockSize` when `m > blockSize`, else its
    /// columns when `n > 2 · blockSize`, else one call), so the result is the same bits for any `threads` — which
    /// OpenBLAS's own threading does not give (it splits the work, and the rounding, by its thread count). Every
    /// element of `C` is still one uninterrupted dot product over `k`. OpenBLAS must run single-threaded
    /// (`setThreadCount(1)`).
    public static func blockedGemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                                   alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                   ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                                   threads: Int) {
        let byRows = m > blockSize, byColumns = !byRows && n > 2 * blockSize
        guard byRows || byColumns else {
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let extent = byRows ? m : n, blocks = (extent + blockSize - 1) / blockSize
        let aIn = DisjointWrites(a), bIn = DisjointWrites(b), cOut = DisjointWrites(c)
        parallelFor(blocks, threads: threads) { range in
            for block in range {
                let start = block * blockSize, size = min(blockSize, extent - start)
                if byRows {
                    // Rows start…start+size of op(A) and of C.
                    let aBlock = transposeA ? aIn.base + start : aIn.base + start * lda
                    gemm(transposeA: transposeA, transposeB: transposeB, m: size, n: n, k: k, alpha: alpha,
                         a: aBlock, lda: lda, b: bIn.base, ldb: ldb, beta: beta, c: cOut.base + start * ldc, ldc: ldc)
                } else {
                    // Columns start…start+size of op(B) and of C.
                    let bBlock = transposeB ? bIn.base + start * ldb : bIn.base + start
                    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: size, k: k, alpha: alpha,
                         a: aIn.base, lda: lda, b: bBlock, ldb: ldb, beta: beta, c: cOut.base + start, ldc: ldc)
                }
            }
        }
    }

    /// `gemv` split into fixed blocks of the output (`blockSize` elements each), each computed by one
    /// single-threaded `cblas_sgemv`, spread over `threads` workers: the same bits for any `threads`.
    public static func blockedGemv(transpose: Bool = false, rows: Int, columns: Int, alpha: Float = 1,
                                   a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, beta: Float = 0,
                                   y: UnsafeMutablePointer<Float>, threads: Int) {
        let outputs = transpose ? columns : rows
        guard outputs > blockSize else {
            gemv(transpose: transpose, rows: rows, columns: columns, alpha: alpha, a: a, lda: lda, x: x, beta: beta,
                 y: y)
            return
        }
        let blocks = (outputs + blockSize - 1) / blockSize
        let aIn = DisjointWrites(a), xIn = DisjointWrites(x), yOut = DisjointWrites(y)
        parallelFor(blocks, threads: threads) { range in
            for block in range {
                let start = block * blockSize, size = min(blockSize, outputs - start)
                if transpose {
                    // y[start…] = A[:, start…]ᵀ x: columns start…start+size of A.
                    gemv(transpose: true, rows: rows, columns: size, alpha: alpha, a: aIn.base + start, lda: lda,
                         x: xIn.base, beta: beta, y: yOut.base + start)
                } else {
                    gemv(rows: size, columns: columns, alpha: alpha, a: aIn.base + start * lda, lda: lda,
                         x: xIn.base, beta: beta, y: yOut.base + start)
                }
            }
        }
    }
}
