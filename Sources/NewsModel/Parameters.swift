import Basics
import TensorMath

/// Where each named parameter tensor lives in the flat parameter buffer.
///
/// The order is fixed: `word_embedding.weight` first (so the dense, non-embedding parameters are the tail
/// `[denseStart, count)`), then `news_encoder.*`, then `user_encoder.*`. Linear weights are stored as
/// PyTorch does, `[out × in]`, so checkpoints need no transposes.
public struct ParameterLayout: Sendable, Equatable {
    /// One named tensor: its shape and its range in the flat buffer.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// All tensors in buffer order.
    public let entries: [Entry]
    /// The total number of floats.
    public let count: Int
    private let index: [String: Int]

    /// The layout for a configuration.
    public init(configuration c: NRMSConfiguration) {
        var list: [(String, [Int])] = [("word_embedding.weight", [c.vocabularySize, c.wordDimension])]
        for (prefix, input) in [("news_encoder.", c.wordDimension), ("user_encoder.", c.hiddenSize)] {
            let h = c.hiddenSize
            switch c.encoder {
            case .fastformer:
                list += [("attention.query.weight", [h, input]), ("attention.query.bias", [h]),
                         ("attention.key.weight", [h, input]), ("attention.key.bias", [h]),
                         ("attention.query_att.weight", [c.headCount, h]), ("attention.query_att.bias", [c.headCount]),
                         ("attention.key_att.weight", [c.headCount, h]), ("attention.key_att.bias", [c.headCount]),
                         ("attention.transform.weight", [h, h]), ("attention.transform.bias", [h])]
                    .map { (prefix + $0.0, $0.1) }
            case .mhsa:
                list += [("attention.query.weight", [h, input]), ("attention.query.bias", [h]),
                         ("attention.key.weight", [h, input]), ("attention.key.bias", [h]),
                         ("attention.value.weight", [h, input]), ("attention.value.bias", [h])]
                    .map { (prefix + $0.0, $0.1) }
            }
            list += [("pooling.proj.weight", [c.poolingDimension, h]), ("pooling.proj.bias", [c.poolingDimension]),
                     ("pooling.score.weight", [1, c.poolingDimension])].map { (prefix + $0.0, $0.1) }
        }
        var offset = 0
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        for (name, shape) in list {
            index[name] = entries.count
            entries.append(Entry(name: name, shape: shape, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.entries = entries
        self.count = offset
        self.index = index
    }

    /// The entry named `name` (a PyTorch state-dict key), or nil.
    public func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The offset of `name`; traps on an unknown name (layer wiring, not user input).
    func offset(of name: String) -> Int {
        guard let entry = entry(named: name) else { preconditionFailure("no parameter \(name)") }
        return entry.offset
    }

    /// The first float after the word embedding: `[denseStart, count)` are the dense parameters.
    public var denseStart: Int { entries[1].offset }
}

/// All weights of one NRMS model in one flat `Float` buffer with named views.
///
/// Shared read-only by every training worker (`@unchecked Sendable`); only the optimizer writes it,
/// between steps, while no worker runs.
public final class NRMSParameters: @unchecked Sendable {
    public let configuration: NRMSConfiguration
    public let layout: ParameterLayout
    /// `[layout.count]`: every parameter, in layout order.
    public let values: Tensor

    /// Zero-filled parameters for `configuration` (use `initialize` or load a checkpoint).
    public init(configuration: NRMSConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        self.layout = ParameterLayout(configuration: configuration)
        self.values = Tensor(shape: [layout.count])
    }

    /// Randomly initialised parameters: linear weights `N(0, 0.02²)`, biases 0, word embedding `N(0, 0.1²)`
    /// with row 0 ([PAD]) zero; rows for which `pretrainedVector(row)` returns a vector take that vector.
    ///
    /// - Parameter pretrainedVector: the GloVe vector of the word with that id, or nil (must have E floats).
    public convenience init(configuration: NRMSConfiguration, seed: UInt64,
                            pretrainedVector: (Int) -> [Float]? = { _ in nil }) throws {
        try self.init(configuration: configuration)
        var rng = SplitMix64(seed: seed)
        let embedding = layout.entries[0]
        rng.fillGaussian(values.pointer, count: embedding.count, standardDeviation: 0.1)
        let e = configuration.wordDimension
        for row in 1..<configuration.vocabularySize {
            if let vector = pretrainedVector(row) {
                guard vector.count == e else {
                    throw ModelError.invalidConfiguration("pretrained vector for id \(row) has \(vector.count) values, expected \(e)")
                }
                for j in 0..<e { values[row * e + j] = vector[j] }
            }
        }
        for j in 0..<e { values[j] = 0 }
        for entry in layout.entries.dropFirst() where entry.name.hasSuffix(".weight") {
            rng.fillGaussian(values.pointer + entry.offset, count: entry.count, standardDeviation: 0.02)
        }
    }

    /// The values of the tensor named `name` (a PyTorch state-dict key).
    public func tensor(named name: String) -> UnsafeMutableBufferPointer<Float>? {
        layout.entry(named: name).map { UnsafeMutableBufferPointer(start: values.pointer + $0.offset, count: $0.count) }
    }

    /// Copies all values from `other`, which must have the same layout.
    public func copy(from other: NRMSParameters) {
        precondition(other.layout == layout)
        values.pointer.update(from: other.values.pointer, count: layout.count)
    }
}
