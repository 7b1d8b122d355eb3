import Distributed
import Foundation
import MIND
import Training

/// A training run with progress on standard error, shared by `train` and `demo`.
enum TrainingSession {
    static func run(corpus: TrainingCorpus, model options: ModelOptions, training: TrainingOptions,
                    wordVectors: WordVectors?, parallelism: Parallelism, directory: URL, resume: Bool,
                    checkpointMinutes: Double = 10, group: ProcessGroup = .singleProcess(),
                    context: CommandContext) throws -> TrainingOutcome {
        let (model, found) = try NRMSTraining.makeModel(corpus: corpus, options: options, wordVectors: wordVectors,
                                                        training: training, parallelism: parallelism)
        if wordVectors != nil {
            context.log("word vectors for \(found) of \(corpus.vocabulary.count - 2) vocabulary words")
        }
        let configuration = model.configuration
        context.log("model: \(configuration.encoder.rawValue), hidden \(configuration.hiddenSize), "
            + "\(configuration.headCount) heads, word dim \(configuration.wordDimension); "
            + "\(group.size) process(es) × \(parallelism.workers) worker(s) × \(parallelism.threadsPerWorker) BLAS "
            + "thread(s), \(training.shards) shards per batch")
        let trainer = try Trainer(model: model, corpus: corpus, options: training, parallelism: parallelism,
                                  directory: directory, group: group)
        trainer.checkpointInterval = checkpointMinutes > 0 ? checkpointMinutes * 60 : nil
        var lastPrint = Date.distantPast
        var redrawing = false
        trainer.onProgress = { progress in
            let now = Date()
            let last = progress.batchInEpoch == progress.batchesPerEpoch
            guard now.timeIntervalSince(lastPrint) >= (context.interactive ? 0.5 : 10) || last else { return }
            lastPrint = now
            let line = String(format: "epoch %d/%d  step %d (%d/%d)  %.1f samples/s  loss %.4f  ETA %@",
                              progress.epoch, progress.epochs, progress.step, progress.batchInEpoch,
                              progress.batchesPerEpoch, progress.samplesPerSecond, progress.loss,
                              Self.duration(progress.remaining))
            if context.interactive {
                context.logRaw("\r" + line + "   ")
                redrawing = true
            } else {
                context.log(line)
            }
        }
        trainer.onEpoch = { record in
            if redrawing {
                context.logRaw("\n")
                redrawing = false
            }
            var line = String(format: "epoch %d done at step %d: train loss %.4f", record.epoch, record.step,
                              record.trainLoss)
            if let dev = record.dev { line += "; dev \(dev.formatted)" }
            context.log(line)
        }
        let outcome = try trainer.run(resume: resume)
        context.log("training samples dropped (clicked news without a news row): \(trainer.droppedClicks)")
        if redrawing { context.logRaw("\n") }
        context.log("log: \(trainer.log.url.path); report: \(trainer.reportURL.path)")
        if group.size > 1 {
            let exchange = trainer.communication
            context.log(String(format: "gradient exchange, mean of %d steps on rank 0: %.0f bytes sent, %.0f received, "
                               + "%.1f ms reducing (%.1f ms in allgatherv)", exchange.steps, exchange.meanBytesSent,
                               exchange.meanBytesReceived, exchange.meanReductionSeconds * 1000,
                               exchange.meanAllgathervSeconds * 1000))
        }
        return outcome
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
                             : String(format: "%dm%02ds", total / 60, total % 60)
    }
}
