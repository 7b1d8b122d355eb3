import Basics
import Foundation
import MIND
import NewsModel
import TensorMath

/// The ranker's encoder for an NRMS model: titles → news vectors with the news encoder, cached news vectors of a
/// user's clicks → user vector with the user encoder, both in evaluation mode (no dropout).
///
/// Titles are tokenised as in training (`Vocabulary.encode(title, length: titleLength)`). Each title is encoded on
/// its own (the encoder packs away padding), by one of `threads` workers with single-threaded BLAS: a news vector then
/// depends only on the title and the weights, never on which other news shared the call, so a cached vector
/// equals a fresh encoding bit for bit. A user's clicks are encoded as one unpadded sequence of the last
/// `historyLength` vectors.
///
/// Creating an encoder sets OpenBLAS to one thread, process-wide: its products are small (one title, or one
/// user's ≤ 50 clicks), where a second BLAS thread only adds wake-ups (and, on a busy machine, waits for a core);
/// titles are encoded on `threads` workers instead. Code that later wants multi-threaded BLAS in the same
/// process must set it again (`BLAS.setThreadCount`).
public final class NRMSRankingEncoder: RankingEncoder {
    public let parameters: NRMSParameters
    public let vocabulary: Vocabulary
    public var dimension: Int { parameters.configuration.hiddenSize }
    public var historyLength: Int { parameters.configuration.historyLength }
    /// Workers encoding titles in parallel.
    public let threads: Int
    private let newsEncoders: [NewsEncoder]
    private let userEncoder: SequenceEncoder

    /// - Parameter threads: titles encoded in parallel (default: all cores).
    public init(parameters: NRMSParameters, vocabulary: Vocabulary,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let configuration = parameters.configuration
        self.parameters = parameters
        self.vocabulary = vocabulary
        self.threads = max(1, threads)
        newsEncoders = (0 ..< max(1, threads)).map { _ in
            NewsEncoder(configuration: configuration, layout: parameters.layout, maxNews: 1, threads: 1)
        }
        userEncoder = SequenceEncoder(configuration: configuration, layout: parameters.layout,
                                      prefix: "user_encoder.", maxSequences: 1, maxRows: configuration.historyLength,
                                      maxLength: configuration.historyLength, threads: 1)
        BLAS.setThreadCount(1)
    }

    /// The token ids of `title` as the model reads it: `[titleLength]`, right-padded with 0.
    public func titleTokens(_ title: String) -> [Int32] {
        let length = parameters.configuration.titleLength
        var ids = vocabulary.encode(title, length: length)
        ids.append(contentsOf: repeatElement(Vocabulary.padID, count: length - ids.count))
        return ids
    }

    public func encodeNews(_ articles: [NewsArticle]) throws -> [Float] {
        let h = dimension, length = parameters.configuration.titleLength
        var vectors = [Float](repeating: 0, count: articles.count * h)
        let weights = UnsafePointer(parameters.values.pointer)
        vectors.withUnsafeMutableBufferPointer { buffer in
            let out = DisjointWrites(buffer.baseAddress!)
            parallelForWorkers(articles.count, threads: threads) { worker, range in
                let encoder = newsEncoders[worker]
                for index in range {
                    // An empty title is one padding token (masked): the encoder returns its zero vector.
                    var ids = vocabulary.encode(articles[index].title, length: length)
                    if ids.isEmpty { ids = [Vocabulary.padID] }
                    ids.withUnsafeBufferPointer { tokens in
                        encoder.forward(parameters: weights, tokens: tokens.baseAddress!, news: 1, length: tokens.count,
                                        dropoutSeed: nil)
                    }
                    (out.base + index * h).update(from: encoder.output, count: h)
                }
            }
        }
        return vectors
    }

    public func encodeUser(history: [Float], count: Int) throws -> [Float] {
        precondition(count >= 1 && history.count == count * dimension, "history must be [count × dimension]")
        let used = min(count, historyLength), h = dimension
        let offsets: [Int32] = [0, Int32(used)]
        history.withUnsafeBufferPointer { rows in
            offsets.withUnsafeBufferPointer { offsets in
                userEncoder.forward(parameters: UnsafePointer(parameters.values.pointer),
                                    input: rows.baseAddress! + (count - used) * h, offsets: offsets.baseAddress!,
                                    sequences: 1, dropoutSeed: nil)
            }
        }
        return Array(UnsafeBufferPointer(start: userEncoder.output, count: h))
    }
}

extension Ranker {
    /// Opens the store at `storePath` with the NRMS checkpoint in `checkpoint` (model.safetensors, config.json,
    /// vocab.txt), registered under its content hash (`ModelFingerprint`) with its config.json.
    ///
    /// - Parameter threads: titles encoded in parallel when news vectors are computed (default: all cores).
    public convenience init(storePath: String, checkpoint: URL,
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                            popularityWindow: Int64 = 86_400) throws {
        let modelID = try ModelFingerprint.id(ofCheckpointAt: checkpoint)
        let contents = try Checkpoint.load(from: checkpoint)
        let configURL = checkpoint.appendingPathComponent("config.json")
        guard let config = try? String(contentsOf: configURL, encoding: .utf8) else {
            throw RankingError.missingCheckpointFile(configURL.path)
        }
        let encoder = NRMSRankingEncoder(parameters: contents.parameters,
                                         vocabulary: Vocabulary(tokens: contents.vocabulary), threads: threads)
        try self.init(storePath: storePath, encoder: encoder, modelID: modelID, config: config,
                      checkpoint: checkpoint.standardizedFileURL.path, popularityWindow: popularityWindow)
    }
}
