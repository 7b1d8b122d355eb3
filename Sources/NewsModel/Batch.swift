/// Variable-length sequences of `Int32` stored back to back: sequence `i` is
/// `values[offsets[i] ..< offsets[i + 1]]`. No padding anywhere.
///
/// The one packed representation of the model: titles are sequences of token ids, histories are sequences of
/// title rows (indices into a batch's titles, or into a table of news vectors).
public struct PackedSequences: Sendable, Equatable {
    /// Every element of every sequence, in order.
    public private(set) var values: [Int32]
    /// `count + 1` offsets into `values`, starting at 0.
    public private(set) var offsets: [Int32]

    /// No sequences.
    public init() {
        values = []
        offsets = [0]
    }

    /// Sequences given by `values` and `offsets` (`offsets[0] == 0`, non-decreasing, last = `values.count`).
    public init(values: [Int32], offsets: [Int32]) {
        precondition(offsets.first == 0 && offsets.last == Int32(values.count), "offsets do not frame the values")
        self.values = values
        self.offsets = offsets
    }

    /// Sequences from a padded `[rows × width]` matrix in which `padding` marks absent elements (dropped).
    public init(padded: [Int32], width: Int, padding: Int32) {
        precondition(width > 0 && padded.count % width == 0, "padded matrix is not [rows × \(width)]")
        self.init()
        for start in stride(from: 0, to: padded.count, by: width) {
            append(padded[start ..< start + width].lazy.filter { $0 != padding })
        }
    }

    /// The number of sequences.
    @inlinable public var count: Int { offsets.count - 1 }

    /// The elements of sequence `index`.
    public subscript(index: Int) -> ArraySlice<Int32> {
        values[Int(offsets[index]) ..< Int(offsets[index + 1])]
    }

    /// The length of sequence `index`.
    public func length(of index: Int) -> Int { Int(offsets[index + 1] - offsets[index]) }

    /// Appends one sequence.
    public mutating func append(_ sequence: some Sequence<Int32>) {
        values.append(contentsOf: sequence)
        offsets.append(Int32(values.count))
    }

    /// Removes every sequence, keeping the storage.
    public mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
    }
}

/// One training or inference batch: every distinct news once (`titles`), users' histories as rows of `titles`,
/// and each sample's candidates as rows of `titles`, the clicked news first.
///
/// So each news is encoded once per batch and its gradient gathers all of its uses (docs/ARCHITECTURE.md,
/// "Contract: model batch").
public struct Batch: Sendable, Equatable {
    /// Token ids of each distinct news title.
    public var titles: PackedSequences
    /// Per sample, the rows of `titles` the user clicked, oldest first (at most the model's history length).
    public var histories: PackedSequences
    /// `[size × candidateCount]` rows of `titles`; column 0 is the clicked news.
    public var candidates: [Int32]
    /// Candidates per sample: 1 + negatives (0 for a batch that only encodes users).
    public var candidateCount: Int

    public init(titles: PackedSequences = PackedSequences(), histories: PackedSequences = PackedSequences(),
                candidates: [Int32] = [], candidateCount: Int = 0) {
        self.titles = titles
        self.histories = histories
        self.candidates = candidates
        self.candidateCount = candidateCount
    }

    /// A batch from the padded layout of the golden fixtures and the PyTorch reference: titles `[news × L]`
    /// right-padded with 0, histories `[size × T]` with -1 for padding, candidates `[size × C]`.
    public init(paddedTitles: [Int32], titleLength: Int, paddedHistories: [Int32], historyLength: Int,
                candidates: [Int32], candidateCount: Int) {
        self.init(titles: PackedSequences(padded: paddedTitles, width: titleLength, padding: 0),
                  histories: PackedSequences(padded: paddedHistories, width: historyLength, padding: -1),
                  candidates: candidates, candidateCount: candidateCount)
    }

    /// The number of samples (users).
    public var size: Int { histories.count }
    /// The number of distinct news.
    public var newsCount: Int { titles.count }

    /// Checks that the batch fits `configuration` and refers only to valid rows and tokens.
    /// - Throws: `ModelError.invalidBatch` saying what is wrong.
    public func validate(for configuration: NRMSConfiguration) throws {
        let news = Int32(newsCount)
        if let title = (0..<titles.count).first(where: { titles.length(of: $0) > configuration.titleLength }) {
            throw ModelError.invalidBatch("title \(title) has \(titles.length(of: title)) tokens, more than the title length \(configuration.titleLength)")
        }
        if let bad = titles.values.firstIndex(where: { $0 < 0 || Int($0) >= configuration.vocabularySize }) {
            throw ModelError.invalidBatch("token \(titles.values[bad]) is outside the vocabulary of \(configuration.vocabularySize)")
        }
        if let user = (0..<histories.count).first(where: { histories.length(of: $0) > configuration.historyLength }) {
            throw ModelError.invalidBatch("history \(user) has \(histories.length(of: user)) clicks, more than the history length \(configuration.historyLength)")
        }
        if let bad = histories.values.first(where: { $0 < 0 || $0 >= news }) {
            throw ModelError.invalidBatch("history entry \(bad) is not a title row < \(news)")
        }
        guard candidateCount == 0 ? candidates.isEmpty : candidates.count == size * candidateCount else {
            throw ModelError.invalidBatch("\(candidates.count) candidates do not form [\(size) × \(candidateCount)]")
        }
        if let bad = candidates.first(where: { $0 < 0 || $0 >= news }) {
            throw ModelError.invalidBatch("candidate \(bad) is not a title row < \(news)")
        }
    }
}
