// swift-tools-version:6.0
import PackageDescription

/// Release-only flags for the numeric targets: no bounds checks in hot loops, and AVX2 + FMA so that
/// `SIMD*.addProduct` compiles to vfmadd instead of libm `fmaf` calls (see docs/ and shared notes).
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"], .when(configuration: .release)),
]

let package = Package(
    name: "NewsRec",
    products: [
        .executable(name: "newsrec", targets: ["newsrec"]),
        .library(name: "NewsRecCLI", targets: ["NewsRecCLI"]),
    ],
    targets: [
        // MARK: - System libraries (Debian packages, installed by scripts/setup)
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        /// Open MPI's C API plus static inline accessors for the handles that are macros (MPI_COMM_WORLD, …).
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // MARK: - Libraries, in dependency order
        /// Primitives every module shares: seeded random streams, parallel-for, FNV-1a, atomic file writer, line reader.
        .target(name: "Basics", swiftSettings: fastMath),
        /// MIND formats: news/behaviors/vector files, tokenizer, vocabulary.
        .target(name: "MIND", dependencies: ["Basics"]),
        /// Evaluation metrics of the MIND leaderboard (AUC, MRR, nDCG@k) and prediction files.
        .target(name: "Metrics", dependencies: ["Basics"], swiftSettings: fastMath),
        /// Generated MIND-format datasets with a known click model (demo, tests, benchmarks).
        .target(name: "SyntheticMIND", dependencies: ["Basics", "MIND", "Metrics"], swiftSettings: fastMath),
        /// Float32 tensors, BLAS matrix products, SIMD kernels, seeded random numbers.
        .target(name: "TensorMath", dependencies: ["COpenBLAS", "Basics"], swiftSettings: fastMath),
        /// Deterministic gradient reduction over processes: shard tree, payload format, MPI process group.
        .target(name: "Distributed", dependencies: ["CMPI", "Basics"], swiftSettings: fastMath),
        /// Layers with explicit forward/backward, the NRMS/Fastformer model, Adam, checkpoints.
        .target(name: "NewsModel", dependencies: ["Basics", "TensorMath", "MIND"], swiftSettings: fastMath),
        /// The SQLite store: schema, ingest, statistics, embedding cache, ranking.
        .target(name: "Store", dependencies: ["CSQLite", "Basics", "MIND"], resources: [.copy("Schema")]),
        /// Training loop, batching, evaluation over a dataset.
        .target(name: "Training", dependencies: ["Basics", "Distributed", "NewsModel", "Metrics", "MIND", "Store", "TensorMath"], swiftSettings: fastMath),
        /// Ranking from the store: cached news/user vectors, dot-product scoring, top-k, cold start.
        .target(name: "Ranking", dependencies: ["Basics", "Store", "NewsModel", "MIND", "TensorMath"], swiftSettings: fastMath),
        /// Generic HTTP/1.1 server on libmicrohttpd: routing, JSON bodies and errors, body limits, keep-alive,
        /// graceful stop, access log, Prometheus metrics, bearer tokens.
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "Basics"]),
        /// The HTTP service behind `newsrec serve`: ranking, click and news routes over one store and model, their
        /// request/response types, metrics and token guard.
        .target(name: "Serving", dependencies: ["Basics", "HTTPServer", "Ranking", "Store", "MIND", "NewsModel"]),
        /// Benchmarks of the model, training, ranking and MIND readers, and the synthetic store they (and the demo) use.
        .target(name: "Benchmarks", dependencies: ["Basics", "Distributed", "MIND", "SyntheticMIND", "TensorMath", "NewsModel", "Store", "Training", "Ranking", "Serving", "HTTPServer"], swiftSettings: fastMath),
        /// Command-line interface as a library, so tests can drive it in-process.
        .target(name: "NewsRecCLI", dependencies: ["Basics", "Distributed", "MIND", "SyntheticMIND", "Metrics", "TensorMath", "NewsModel", "Store", "Training", "Ranking", "Benchmarks", "HTTPServer", "Serving"]),
        .executableTarget(name: "newsrec", dependencies: ["NewsRecCLI"]),
        /// Test driver run under `mpirun` by DistributedTests (and the reduction benchmark); not a product.
        .executableTarget(name: "mpi-selftest", dependencies: ["Distributed", "Basics"], swiftSettings: fastMath),

        // MARK: - Tests
        /// Shared by the test targets: fixture locator, temporary directories, output capture, test data writers.
        .target(name: "TestSupport", dependencies: ["Basics", "MIND", "NewsModel"], path: "Tests/TestSupport"),
        .testTarget(name: "BasicsTests", dependencies: ["TestSupport", "Basics"]),
        .testTarget(name: "MINDTests", dependencies: ["TestSupport", "MIND"]),
        .testTarget(name: "MetricsTests", dependencies: ["TestSupport", "Metrics"]),
        .testTarget(name: "SyntheticMINDTests", dependencies: ["TestSupport", "SyntheticMIND", "MIND", "Metrics"]),
        .testTarget(name: "TensorMathTests", dependencies: ["TestSupport", "Basics", "TensorMath"]),
        .testTarget(name: "DistributedTests", dependencies: ["TestSupport", "Distributed", "mpi-selftest"]),
        .testTarget(name: "NewsModelTests", dependencies: ["TestSupport", "Basics", "NewsModel", "TensorMath", "MIND"]),
        .testTarget(name: "StoreTests", dependencies: ["TestSupport", "Store", "MIND"]),
        .testTarget(name: "TrainingTests", dependencies: ["TestSupport", "Basics", "Distributed", "Training", "NewsModel", "TensorMath", "MIND", "Metrics", "Store"]),
        .testTarget(name: "RankingTests", dependencies: ["TestSupport", "Basics", "Ranking", "Store", "NewsModel", "MIND", "TensorMath"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["TestSupport", "HTTPServer", "Basics"]),
        .testTarget(name: "ServingTests", dependencies: ["TestSupport", "Serving", "HTTPServer", "Ranking", "Store", "NewsModel", "MIND"]),
        .testTarget(name: "NewsRecCLITests", dependencies: ["TestSupport", "NewsRecCLI", "Benchmarks", "Ranking", "Store", "NewsModel", "MIND"]),
    ]
)
