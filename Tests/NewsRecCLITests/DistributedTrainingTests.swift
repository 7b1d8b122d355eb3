import Foundation
import NewsRecCLI
import Testing
import TestSupport

/// `newsrec train` gives the same model, bit for bit, for any layout of processes and threads, and resumes a killed
/// multi-process run as one process to the bytes of an uninterrupted run.
@Suite("Training over processes and threads", .serialized)
struct DistributedTrainingTests {
    /// A small synthetic store and the options every run of the test shares.
    struct Setup {
        let folder: TemporaryDirectory
        let common: [String]

        init() throws {
            folder = try TemporaryDirectory("distributed-training")
            let data = folder.path("data"), store = folder.path("store.sqlite")
            try Self.newsrec(["synth", "--out", data, "--user-count", "200", "--news-count", "400",
                              "--impression-count", "600", "--word-dim", "16"])
            for split in ["train", "dev"] {
                try Self.newsrec(["ingest", "--db", store, "--split", split, "--news", "\(data)/\(split)/news.tsv",
                                  "--behaviors", "\(data)/\(split)/behaviors.tsv"])
            }
            common = ["train", "--db", store, "--word-vectors", "\(data)/glove.txt", "--hidden", "16", "--heads", "2",
                      "--batch-size", "16", "--epochs", "1", "--shards", "4"]
        }

        /// Runs a command in this process; fails the test when it does not succeed.
        static func newsrec(_ arguments: [String]) throws {
            let output = OutputCapture()
            let code = NewsRecCLI.run(arguments, context: CommandContext(out: output.writeOut, err: output.writeErr))
            guard code == 0 else { throw Failure(description: "newsrec \(arguments): \(output.err)") }
        }

        /// The bytes of the latest `model.safetensors` of the run directory `run`.
        func model(_ run: String) throws -> Data {
            let latest = try String(contentsOfFile: folder.path("\(run)/latest"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return try Data(contentsOf: folder.appending("\(run)/\(latest)/model.safetensors"))
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    @Test("1 process × 1 thread, 1 × 2 (shards or layers), mpirun -np 2 and -np 4: byte-identical model.safetensors")
    func layouts() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let steps = ["--max-steps", "4", "--checkpoint-minutes", "0"]
        try Setup.newsrec(setup.common + steps + ["--out", setup.folder.path("p1t1"), "--threads", "1"])
        try Setup.newsrec(setup.common + steps + ["--out", setup.folder.path("p1t2"), "--threads", "2"])
        try Setup.newsrec(setup.common + steps + ["--out", setup.folder.path("layers"), "--threads", "2",
                                                  "--parallel", "layers"])
        let reference = try setup.model("p1t1")
        #expect(try setup.model("p1t2") == reference, "1 process × 2 threads taking whole shards")
        #expect(try setup.model("layers") == reference, "1 process, 2 threads inside the layers")
        guard let mpirun = ProcessRun.mpirun else {
            print("DistributedTrainingTests: mpirun not found on PATH; skipping the multi-process runs")
            return
        }
        let newsrec = try BuiltProducts.executable("newsrec").path
        for ranks in [2, 4] {
            let run = "p\(ranks)t1"
            let job = try ProcessRun.run(mpirun, ["--oversubscribe", "-np", "\(ranks)", newsrec] + setup.common + steps
                                         + ["--out", setup.folder.path(run), "--threads", "1"], timeout: 120)
            try #require(job.status == 0, "mpirun -np \(ranks): \(job.errors)")
            #expect(job.errors.contains("gradient exchange, mean of"), "rank 0 reports the bytes exchanged")
            #expect(try setup.model(run) == reference, "mpirun -np \(ranks)")
        }
    }

    @Test("a 2-process run killed mid-epoch and resumed as 1 process ends with the bytes of an uninterrupted run")
    func killedAndResumed() throws {
        guard let mpirun = ProcessRun.mpirun else {
            print("DistributedTrainingTests: mpirun not found on PATH; skipping the killed-run test")
            return
        }
        let setup = try Setup()
        defer { setup.folder.remove() }
        let steps = ["--max-steps", "30", "--threads", "1"]
        try Setup.newsrec(setup.common + steps + ["--out", setup.folder.path("straight"), "--checkpoint-minutes", "0"])
        let newsrec = try BuiltProducts.executable("newsrec").path
        let killed = setup.folder.path("killed")
        let job = try ProcessRun.start(mpirun, ["-np", "2", newsrec] + setup.common + steps
                                       + ["--out", killed, "--checkpoint-minutes", "0.00001"],
                                       output: try setup.folder.file("job.out", ""),
                                       errors: try setup.folder.file("job.err", ""))
        // Kill the job once it has checkpointed mid-run (a step after 0, before the last).
        let deadline = Date().addingTimeInterval(120)
        var latest = ""
        while job.isRunning, Date() < deadline {
            latest = (try? String(contentsOfFile: "\(killed)/latest", encoding: .utf8)) ?? ""
            if let step = Int(latest.trimmingCharacters(in: .whitespacesAndNewlines).suffix(8)), (2..<30).contains(step) {
                break
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        kill(job.processIdentifier, SIGKILL)
        job.waitUntilExit()
        let stoppedAt = Int(latest.trimmingCharacters(in: .whitespacesAndNewlines).suffix(8)) ?? 0
        let jobErrors = (try? String(contentsOfFile: setup.folder.path("job.err"), encoding: .utf8)) ?? ""
        try #require((2..<30).contains(stoppedAt),
                     "the job was killed after a mid-run checkpoint (latest: \(latest); job: \(jobErrors))")
        try Setup.newsrec(setup.common + steps + ["--out", killed, "--resume", "--checkpoint-minutes", "0"])
        #expect(try setup.model("killed") == setup.model("straight"), "resumed after step \(stoppedAt)")
    }
}
