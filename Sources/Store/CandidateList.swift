import MIND

/// The packed form of an impression's candidates (`impressions.candidate_list`, `Schema/004_packed_candidates.sql`):
/// entries in file order separated by single spaces, each the news id followed by `-1` (clicked), `-0` (not
/// clicked) or `-?` (unlabelled). The one encoder and decoder of that column.
enum CandidateList {
    /// The column text of `candidates` (`""` when there are none).
    static func encode(_ candidates: [Candidate]) -> String {
        var bytes: [UInt8] = []
        append(candidates, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the column text of `candidates` to `bytes` (UTF-8).
    static func append(_ candidates: [Candidate], to bytes: inout [UInt8]) {
        for (index, candidate) in candidates.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: " ")) }
            bytes.append(contentsOf: candidate.news.rawValue.utf8)
            bytes.append(UInt8(ascii: "-"))
            switch candidate.clicked {
            case .some(true): bytes.append(UInt8(ascii: "1"))
            case .some(false): bytes.append(UInt8(ascii: "0"))
            case .none: bytes.append(UInt8(ascii: "?"))
            }
        }
    }

    /// The candidates of a column value.
    ///
    /// - Throws: `StoreError.corruptValue` naming `key` when an entry has no label suffix.
    static func decode(_ text: String, key: @autoclosure () -> String) throws -> [Candidate] {
        var candidates: [Candidate] = []
        var text = text
        try text.withUTF8 { bytes in
            try forEach(bytes, key: key()) { news, label in
                candidates.append(Candidate(news: NewsID(String(decoding: news, as: UTF8.self)),
                                            clicked: label.map { $0 == 1 }))
            }
        }
        return candidates
    }

    /// Calls `body(id bytes, label)` for every entry of a column value, label 1 / 0 / nil (unlabelled).
    ///
    /// - Throws: `StoreError.corruptValue` naming `key` when an entry has no label suffix.
    static func forEach(_ bytes: UnsafeBufferPointer<UInt8>, key: @autoclosure () -> String,
                        _ body: (UnsafeBufferPointer<UInt8>, Int8?) throws -> Void) throws {
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != UInt8(ascii: " ") { end += 1 }
            guard end - start >= 3, bytes[end - 2] == UInt8(ascii: "-") else {
                throw StoreError.corruptValue(table: "impressions", key: key(),
                                              expected: "candidate entries 'id-1', 'id-0' or 'id-?'")
            }
            let label: Int8? = switch bytes[end - 1] {
            case UInt8(ascii: "1"): 1
            case UInt8(ascii: "0"): 0
            default: nil
            }
            try body(UnsafeBufferPointer(rebasing: bytes[start ..< end - 2]), label)
            start = end + 1
        }
    }
}
