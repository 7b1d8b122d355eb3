import Foundation
import MIND
import NewsModel
import Testing
import TestSupport
import Training
@testable import NewsRecCLI

/// Each command's options read into its typed values, and the rules between options.
@Suite("Command options")
struct CommandOptionsTests {
    /// The command `arguments` parse into, as `T`.
    func parse<T>(_ arguments: [String], as type: T.Type = T.self) throws -> T {
        guard case let .run(command, _) = try NewsRecCLI.parse(arguments) else {
            throw UsageError("\(arguments) asks for help")
        }
        return try #require(command as? T)
    }

    /// The message of the usage error of `arguments`.
    func mistake(_ arguments: [String]) -> String? {
        CommandLineTests.usageError(arguments).map { "\($0.error)" }
    }

    @Test("synth: sizes, seed and the generator's own checks")
    func synth() throws {
        let command: SynthCommand = try parse(["synth", "--out", "/tmp/s", "--user-count", "50", "--news-count=60",
                                               "--impression-count", "70", "--seed", "9", "--word-dim", "8",
                                               "--ctr", "0.1", "--threads", "1", "--json"])
        #expect(command.output.path == "/tmp/s")
        #expect(command.configuration == .init(users: 50, news: 60, impressions: 70, seed: 9, wordDimension: 8,
                                               targetCTR: 0.1))
        #expect(command.threads == 1)
        #expect(command.json)
        let defaults: SynthCommand = try parse(["synth", "--out", "/tmp/s"])
        #expect(defaults.configuration == .init())
        #expect(mistake(["synth", "--out", "x", "--ctr", "0.7"])?.contains("target CTR must be in (0, 0.5)") == true)
        #expect(mistake(["synth", "--out", "x", "--news-count", "5"])?.contains("news must be in 20…") == true)
        #expect(mistake(["synth", "--out", "x", "--user-count", "0"]) == "--user-count must be at least 1, got '0'")
    }

    @Test("ingest: the split is required; news and behaviors files")
    func ingest() throws {
        let command: IngestCommand = try parse(["ingest", "--db", "s.sqlite", "--split", "dev", "--news", "n.tsv",
                                                "--behaviors", "b.tsv", "--skip-bad-lines", "--json"])
        #expect(command.databasePath == "s.sqlite")
        #expect(command.split == .dev)
        #expect(command.newsFile == "n.tsv")
        #expect(command.behaviorsFile == "b.tsv")
        #expect(command.skipBadLines && command.json)
        #expect(mistake(["ingest", "--db", "s", "--news", "n"]) == "missing required option --split")
    }

    @Test("train: every option into the model, training and parallelism settings")
    func train() throws {
        let command: TrainCommand = try parse([
            "train", "--db", "s.sqlite", "--out", "run", "--encoder", "mhsa", "--epochs", "2", "--batch-size", "32",
            "--lr", "0.001", "--negatives", "3", "--word-vectors", "glove.txt", "--hidden", "64", "--heads", "4",
            "--seed", "7", "--threads", "2", "--parallel", "layers", "--max-steps", "10", "--checkpoint-minutes", "0",
            "--resume"])
        #expect(command.databasePath == "s.sqlite" && command.output == "run")
        #expect(command.model == ModelOptions(encoder: .mhsa, hiddenSize: 64, headCount: 4))
        #expect(command.training == TrainingOptions(epochs: 2, batchSize: 32, learningRate: 0.001, negatives: 3,
                                                    seed: 7, maxSteps: 10))
        #expect(command.wordVectors == "glove.txt")
        #expect(command.threads == 2 && command.parallelMode == .layers)
        #expect(command.checkpointMinutes == 0 && command.resume)
        let defaults: TrainCommand = try parse(["train", "--db", "s", "--out", "r"])
        #expect(defaults.model == ModelOptions())
        #expect(defaults.training == TrainingOptions())
        #expect(defaults.threads == Parallelism.coreCount && defaults.parallelMode == .auto)
        #expect(ParallelMode.auto.parallelism(threads: 2, shards: 1) == .layerParallel(2))
        #expect(ParallelMode.auto.parallelism(threads: 2, shards: 4) == .dataParallel(2))
        #expect(defaults.checkpointMinutes == 10 && !defaults.resume && defaults.wordVectors == nil)
        let base = ["train", "--db", "s", "--out", "r"]
        #expect(mistake(base + ["--epochs", "0"]) == "--epochs must be at least 1, got '0'")
        #expect(mistake(base + ["--lr", "-1"]) == "--lr must be positive, got '-1'")
        #expect(mistake(base + ["--parallel", "both"]) == "--parallel must be auto, data or layers, got 'both'")
        #expect(mistake(base + ["--threads", "0"]) == "--threads must be at least 1, got '0'")
    }

    @Test("evaluate and embed: store, model, split, files, threads")
    func evaluateAndEmbed() throws {
        let evaluate: EvaluateCommand = try parse(["evaluate", "--db", "s", "--model", "m", "--split", "test",
                                                   "--predictions", "p.txt", "--scores", "s.tsv", "--threads", "3",
                                                   "--json"])
        #expect(evaluate.split == .test && evaluate.predictions == "p.txt" && evaluate.scores == "s.tsv")
        #expect(evaluate.threads == 3 && evaluate.json && evaluate.modelPath == "m")
        let defaults: EvaluateCommand = try parse(["evaluate", "--db", "s", "--model", "m"])
        #expect(defaults.split == .dev && defaults.predictions == nil && defaults.threads == Parallelism.coreCount)
        let embed: EmbedCommand = try parse(["embed", "--db", "s", "--model", "m", "--threads", "1"])
        #expect(embed.database == "s" && embed.model == "m" && embed.threads == 1 && !embed.json)
        #expect(mistake(["evaluate", "--db", "s", "--model", "m", "--split", "valid"])
                == "--split must be train, dev or test, got 'valid'")
    }

    @Test("click: one click or a file, never both")
    func click() throws {
        let single: ClickCommand = try parse(["click", "--db", "s", "--user", "U1", "--news-id", "N2",
                                              "--time", "1574300000"])
        #expect(single.single?.user == "U1" && single.single?.news == "N2" && single.single?.time == 1_574_300_000)
        let dated: ClickCommand = try parse(["click", "--db", "s", "--user", "U1", "--news-id", "N2",
                                             "--time=11/20/2019 9:00:00 AM"])
        #expect(dated.single?.time == 1_574_240_400)
        let file: ClickCommand = try parse(["click", "--db", "s", "--file", "c.tsv", "--json"])
        #expect(file.file == "c.tsv" && file.single == nil && file.json)
        #expect(mistake(["click", "--db", "s", "--file", "c", "--user", "U"])
                == "--file cannot be combined with --user, --news-id or --time")
        #expect(mistake(["click", "--db", "s", "--user", "U"]) == "give --user and --news-id, or --file")
        #expect(mistake(["click", "--db", "s", "--user", "U", "--news-id", "N", "--time", "yesterday"])
                == "--time must be Unix seconds or MM/DD/YYYY hh:mm:ss AM|PM, got 'yesterday'")
    }

    @Test("rank: the four ways of naming candidates, at most one of them")
    func rank() throws {
        let base = ["rank", "--db", "s", "--model", "m", "--user", "U1"]
        let list: RankCommand = try parse(base + ["--candidates", "N1, N2,N3", "--top", "2", "--json"])
        #expect(list.candidates == .list([NewsID("N1"), NewsID("N2"), NewsID("N3")]))
        #expect(list.top == 2 && list.json && list.user == UserID("U1"))
        let folder = try TemporaryDirectory("cli-options")
        defer { folder.remove() }
        let file = try folder.file("c.txt", "N5\nN6, N7")
        let fromFile: RankCommand = try parse(base + ["--candidates-file", file.path])
        #expect(fromFile.candidates == .list([NewsID("N5"), NewsID("N6"), NewsID("N7")]))
        #expect((try parse(base + ["--fresh", "2.5"]) as RankCommand).candidates == .fresh(hours: 2.5))
        #expect((try parse(base + ["--all"]) as RankCommand).candidates == .all)
        #expect((try parse(base) as RankCommand).candidates == .fresh(hours: 24))
        #expect(mistake(base + ["--all", "--candidates", "N1"])
                == "give at most one of --candidates, --candidates-file, --fresh, --all")
        #expect(mistake(base + ["--fresh", "0"]) == "--fresh must be positive, got '0'")
        #expect(mistake(base + ["--top", "0"]) == "--top must be at least 1, got '0'")
        #expect(mistake(base + ["--candidates", "N1,,N2"])?.hasPrefix("--candidates must be a comma-separated") == true)
        #expect(mistake(base + ["--candidates-file", folder.path("missing.txt")])?.hasPrefix("cannot read") == true)
    }

    @Test("serve: address, port, threads, token file, body limit, access log")
    func serve() throws {
        let base = ["serve", "--db", "s", "--model", "m"]
        let command: ServeCommand = try parse(base + ["--host", "::1", "--port", "0", "--threads", "3",
                                                      "--token-file", "t.txt", "--max-body", "4096", "--quiet"])
        #expect(command.database == "s" && command.model == "m" && command.tokenFile == "t.txt")
        #expect(command.configuration.host == "::1" && command.configuration.port == 0)
        #expect(command.configuration.threads == 3 && command.configuration.maxBodyBytes == 4096)
        #expect(command.configuration.accessLog == nil)
        let defaults: ServeCommand = try parse(base)
        #expect(defaults.configuration.host == "127.0.0.1" && defaults.configuration.port == 8080)
        #expect(defaults.configuration.maxBodyBytes == 1 << 20 && defaults.configuration.accessLog != nil)
        #expect(defaults.tokenFile == nil)
        #expect(mistake(base + ["--port", "70000"])?.hasPrefix("--port must be an integer") == true)
        #expect(mistake(base + ["--max-body", "0"]) == "--max-body must be at least 1, got '0'")

        let bench: BenchServeCommand = try parse(["bench", "serve", "--connections", "2,8", "--duration", "3",
                                                  "--threads", "1", "--news-count", "400", "--json"])
        #expect(bench.benchmark.connections == [2, 8] && bench.benchmark.seconds == 3 && bench.json)
        #expect(bench.benchmark.serverThreads == 1 && bench.benchmark.store.newsCount == 400)
        let benchDefaults: BenchServeCommand = try parse(["bench", "serve"])
        #expect(benchDefaults.benchmark.connections == [1, 16, 64] && benchDefaults.benchmark.seconds == 10)
        #expect(mistake(["bench", "serve", "--connections", "0"]) == "--connections must be each at least 1, got '0'")
    }

    @Test("demo: working directory, encoder, quick run, threads, seed")
    func demo() throws {
        let command: DemoCommand = try parse(["demo", "--out", "/tmp/d", "--encoder", "mhsa", "--quick",
                                              "--threads", "1", "--seed", "3"])
        #expect(command.directory.path == "/tmp/d" && command.encoder == .mhsa && command.quick)
        #expect(command.threads == 1 && command.seed == 3)
        let defaults: DemoCommand = try parse(["demo"])
        #expect(defaults.directory.lastPathComponent == "newsrec-demo" && defaults.encoder == .fastformer)
        #expect(defaults.seed == 1 && !defaults.quick)
    }

    @Test("bench train and micro: encoder and parallel-mode lists, sizes, steps, parts")
    func benchTrainAndMicro() throws {
        let train: BenchTrainCommand = try parse(["bench", "train", "--db", "s", "--sizes", "mind-small",
                                                  "--encoder", "mhsa", "--steps", "5", "--threads", "2",
                                                  "--parallel", "layers", "--json"])
        #expect(train.databasePath == "s" && train.size == .mindSmall && train.json)
        #expect(train.benchmark.encoders == [.mhsa] && train.benchmark.steps == 5 && train.benchmark.threads == 2)
        #expect(train.benchmark.modes.map(\.name) == ["layers"] && train.benchmark.modes[0].parallelism == .layerParallel(2))
        let defaults: BenchTrainCommand = try parse(["bench", "train"])
        #expect(defaults.databasePath == nil && defaults.size == .small)
        #expect(defaults.benchmark.encoders == [.fastformer, .mhsa])
        #expect(defaults.benchmark.modes.map(\.name) == ["data", "layers"])
        #expect(mistake(["bench", "train", "--encoder", "fastformer,rnn"])?.hasPrefix("--encoder must be") == true)

        let micro: BenchMicroCommand = try parse(["bench", "micro", "--threads", "1", "--reps", "2", "--warmup", "0",
                                                  "--encoder", "mhsa,fastformer", "--only", "scaling",
                                                  "--tokens", "64", "--max-attention-mib", "8"])
        #expect(micro.benchmark.threads == 1 && micro.benchmark.repetitions == 2 && micro.benchmark.warmup == 0)
        #expect(micro.benchmark.encoders == [.mhsa, .fastformer])
        #expect(!micro.benchmark.model && micro.benchmark.scaling)
        #expect(micro.benchmark.scalingTokens == 64 && micro.benchmark.maxAttentionMiB == 8)
        let microDefaults: BenchMicroCommand = try parse(["bench", "micro"])
        #expect(microDefaults.benchmark.threads == 2)
        #expect(microDefaults.benchmark.model && microDefaults.benchmark.scaling)
        #expect(mistake(["bench", "micro", "--tokens", "8"]) == "--tokens must be at least 32, got '8'")
    }

    @Test("bench rank and parse: sizes, query counts, a fresh store, files")
    func benchRankAndParse() throws {
        let rank: BenchRankCommand = try parse(["bench", "rank", "--model", "m", "--news-count", "300",
                                                "--user-count", "30", "--impression-count", "90",
                                                "--candidate-count", "10", "--warm", "5", "--cold", "3",
                                                "--db", "/tmp/newsrec-cli-test-missing.sqlite", "--json"])
        #expect(rank.store.model == "m" && rank.json)
        #expect(rank.store.database == "/tmp/newsrec-cli-test-missing.sqlite")
        #expect(rank.benchmark.newsCount == 300 && rank.benchmark.userCount == 30)
        #expect(rank.benchmark.impressionCount == 90 && rank.benchmark.candidateCount == 10)
        #expect(rank.benchmark.warmQueries == 5 && rank.benchmark.coldQueries == 3)
        let defaults: BenchRankCommand = try parse(["bench", "rank"])
        #expect(defaults.benchmark.newsCount == 65_238 && defaults.benchmark.candidateCount == 100)
        #expect(mistake(["bench", "rank", "--news-count", "100", "--candidate-count", "60"])
                == "--news-count must be at least twice --candidate-count")
        let folder = try TemporaryDirectory("cli-options")
        defer { folder.remove() }
        let existing = try folder.file("store.sqlite", "")
        #expect(mistake(["bench", "rank", "--db", existing.path])?.contains("exists") == true)

        let parse: BenchParseCommand = try parse(["bench", "parse", "--news", "n.tsv", "--behaviors", "b.tsv",
                                                  "--reps", "1"])
        #expect(parse.news == "n.tsv" && parse.behaviors == "b.tsv" && parse.repetitions == 1 && !parse.json)
        #expect((try self.parse(["bench", "parse"]) as BenchParseCommand).repetitions == 3)
    }
}
