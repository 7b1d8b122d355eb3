import Foundation

/// The hyper-parameters of an NRMS model; stored as `config.json` in a checkpoint (snake_case keys).
public struct NRMSConfiguration: Codable, Equatable, Sendable {
    /// The sequence encoder used in both the news and the user encoder.
    public enum Encoder: String, Codable, Sendable, CaseIterable {
        /// Fastformer additive attention (Wu et al. 2021), linear in the sequence length.
        case fastformer
        /// Multi-head self-attention (NRMS, Wu et al. 2019), quadratic in the sequence length.
        case mhsa
    }

    public var encoder: Encoder
    /// E: the word-embedding dimension.
    public var wordDimension: Int
    /// H: the hidden size of the attention output and of news/user vectors.
    public var hiddenSize: Int
    /// h: attention heads; `hiddenSize` must be a multiple.
    public var headCount: Int
    /// A: the additive-pooling projection size.
    public var poolingDimension: Int
    /// L: the maximum title length in tokens.
    public var titleLength: Int
    /// T: the number of most recent clicks used for a user.
    public var historyLength: Int
    /// V: rows of the word embedding (id 0 = [PAD], id 1 = [UNK]).
    public var vocabularySize: Int
    /// The tokenizer the vocabulary was built with.
    public var tokenizer: String
    /// The dropout probability used in training (after the embedding and after each attention).
    public var dropout: Float

    public init(encoder: Encoder = .fastformer, wordDimension: Int = 300, hiddenSize: Int = 256, headCount: Int = 16,
                poolingDimension: Int = 200, titleLength: Int = 30, historyLength: Int = 50, vocabularySize: Int,
                tokenizer: String = "mind-regex-lower", dropout: Float = 0.2) {
        self.encoder = encoder
        self.wordDimension = wordDimension
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.poolingDimension = poolingDimension
        self.titleLength = titleLength
        self.historyLength = historyLength
        self.vocabularySize = vocabularySize
        self.tokenizer = tokenizer
        self.dropout = dropout
    }

    /// d = H / h.
    public var headDimension: Int { hiddenSize / headCount }

    enum CodingKeys: String, CodingKey {
        case encoder, tokenizer, dropout
        case wordDimension = "word_dim", hiddenSize = "hidden", headCount = "heads", poolingDimension = "pooling_dim"
        case titleLength = "title_length", historyLength = "history_length", vocabularySize = "vocab_size"
    }

    /// Throws `ModelError.invalidConfiguration` unless every size is positive and `H` is a multiple of `h`.
    public func validate() throws {
        let sizes = [wordDimension, hiddenSize, headCount, poolingDimension, titleLength, historyLength, vocabularySize]
        guard sizes.allSatisfy({ $0 > 0 }) else {
            throw ModelError.invalidConfiguration("every size must be positive, got \(self)")
        }
        guard hiddenSize % headCount == 0 else {
            throw ModelError.invalidConfiguration("hidden \(hiddenSize) is not a multiple of heads \(headCount)")
        }
        guard vocabularySize >= 2 else {
            throw ModelError.invalidConfiguration("vocab_size must include [PAD] and [UNK], got \(vocabularySize)")
        }
        guard (0..<1).contains(dropout) else {
            throw ModelError.invalidConfiguration("dropout must be in [0, 1), got \(dropout)")
        }
    }
}

/// Errors of the NewsModel module: bad configurations, batches, checkpoints and safetensors files.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)
    /// A batch that does not fit the model or the workspace.
    case invalidBatch(String)
    /// A malformed or inconsistent file: path and what was expected.
    case invalidFile(path: String, expected: String)
    /// A tensor missing from, or of the wrong shape in, a checkpoint.
    case tensorMismatch(path: String, name: String, expected: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): "invalid model configuration: \(message)"
        case .invalidBatch(let message): "invalid batch: \(message)"
        case .invalidFile(let path, let expected): "\(path): expected \(expected)"
        case .tensorMismatch(let path, let name, let expected): "\(path): tensor \(name): expected \(expected)"
        }
    }
}
