import Foundation
import Ranking
import Training

/// `newsrec embed`: caches the news vectors of a model in the store.
struct EmbedCommand: Command {
    static let configuration = CommandConfiguration(
        name: "embed",
        abstract: "Cache a model's news vectors in the store (only news not cached yet).",
        discussion: """
            Registers the model in the store and encodes, with its news encoder, every news of the store that has
            no cached vector for that model yet. Vectors are stored as little-endian float32 blobs keyed by
            (model, news). The model id is a 64-bit FNV-1a hash of the checkpoint's model.safetensors,
            config.json and vocab.txt, so any change to the weights, configuration or vocabulary gives a new id
            and a new cache; the same checkpoint copied elsewhere shares its cache.

            Incremental: news are encoded and committed in batches of 512, so re-running (after an ingest of more
            news, or after an interruption) encodes only the news not cached yet. Progress goes to stderr.
            --json prints {"model", "encoded", "cached", "seconds"}.
            """,
        examples: ["newsrec embed --db mind.sqlite --model runs/fastformer"])

    static let threads = ThreadOptions.threads.withDefault(
        Parallelism.coreCount, description: "all cores", help: "titles encoded in parallel")

    static var options: [any OptionDeclaration] {
        [StoreOptions.database, NRMSOptions.model, threads, OutputOptions.json]
    }

    var database: String
    var model: String
    var threads: Int
    var json: Bool

    init(options: ParsedOptions) {
        database = options[StoreOptions.database]
        model = options[NRMSOptions.model]
        threads = options[Self.threads]
        json = options[OutputOptions.json]
    }

    func run(context: CommandContext) throws {
        try requireStore(database)
        let started = Date()
        let checkpoint = URL(fileURLWithPath: model)
        let ranker = try Ranker(storePath: database, checkpoint: checkpoint, threads: threads)
        context.log("model \(ranker.model.id) (dimension \(ranker.model.dimension))")
        var lastReport = Date.distantPast
        let encoded = try ranker.embedMissingNews { done, total in
            let now = Date()
            guard done == total || (done > 0 && now.timeIntervalSince(lastReport) >= 0.5) else { return }
            lastReport = now
            let rate = Double(done) / max(now.timeIntervalSince(started), 1e-9)
            let line = "embedded \(done)/\(total) news (\(Int(rate)) news/s)"
            if context.interactive {
                context.logRaw("\r" + line + (done == total ? "\n" : ""))
            } else {
                context.log(line)
            }
        }
        let cached = try ranker.cachedNewsCount()
        let seconds = Date().timeIntervalSince(started)
        if json {
            context.print("{\"model\": \"\(ranker.model.id)\", \"encoded\": \(encoded), \"cached\": \(cached), "
                          + "\"seconds\": \(String(format: "%.3f", seconds))}")
        } else {
            context.print("model \(ranker.model.id): encoded \(encoded) news, \(cached) cached in all "
                          + "(\(String(format: "%.1f", seconds)) s)")
        }
    }
}

/// Throws unless the store file exists (the ranking commands never create an empty store).
func requireStore(_ path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw UsageError("no store at \(path) (create it with newsrec ingest)")
    }
}
