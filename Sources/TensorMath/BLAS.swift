import COpenBLAS

/// Matrix products on row-major `Float` matrices, backed by OpenBLAS `cblas_sgemm`, plus a naive reference.
///
/// All matrices are row-major with explicit leading dimensions (the row stride in elements), so column
/// slices such as one attention head of a `[tokens × hidden]` matrix can be passed with `lda = hidden`.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for every later call (process-wide).
    ///
    /// Use 2 on this machine for one model workspace; use 1 when several workers call BLAS concurrently.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// `C = alpha · op(A) · op(B) + beta · C`, with `op(A)` `[m × k]`, `op(B)` `[k × n]`, `C` `[m × n]`.
    ///
    /// - Parameters:
    ///   - transposeA: when true `A` is stored `[k × m]` and used transposed.
    ///   - transposeB: when true `B` is stored `[n × k]` and used transposed.
    ///   - lda, ldb, ldc: row strides of the stored matrices (in elements).
    @inlinable
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false,
                            m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            scaleMatrix(c, rows: m, columns: n, ld: ldc, beta: beta)
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `y = alpha · op(A) · x + beta · y` with `A` stored `[rows × columns]`; `op(A)` is `A` or `Aᵀ`.
    @inlinable
    public static func gemv(transpose: Bool = false, rows: Int, columns: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                            beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        if rows == 0 || columns == 0 {
            let outCount = transpose ? columns : rows
            for i in 0..<outCount { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns),
                    alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// `C *= beta` (with `beta == 0` writing exact zeros, as BLAS does).
    @usableFromInline
    static func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int, beta: Float) {
        for i in 0..<rows {
            for j in 0..<columns { c[i * ld + j] = beta == 0 ? 0 : beta * c[i * ld + j] }
        }
    }

    /// The same product as `gemm`, by a naive triple loop accumulating in `Double`: the test oracle.
    public static func referenceGemm(transposeA: Bool = false, transposeB: Bool = false,
                                     m: Int, n: Int, k: Int, alpha: Float = 1,
                                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                     beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}
