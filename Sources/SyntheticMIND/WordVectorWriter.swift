import Basics
import Foundation

/// Writes `glove.txt`: one line `word v1 … vd` (GloVe text format, 5 decimals) per covered vocabulary word, plus a
/// few words that occur in no text.
///
/// Vectors carry the click model's topic structure with noise, like pretrained vectors carry meaning:
/// ```
/// topic word of category k (subcategory s):  c_k (+ 0.7 c_s) + N(0, 0.45²)ᵈ
/// shared word:                               0.3 c_common + N(0, 0.5²)ᵈ
/// function word:                             0.6 c_common + N(0, 0.3²)ᵈ
/// word in no text:                           N(0, 0.5²)ᵈ
/// ```
/// with centres `c ~ N(0, 0.4²)ᵈ`. About 10% of topic words (and 3% of shared pseudo-words) have no vector.
enum WordVectorWriter {
    /// - Returns: the number of lines written.
    static func write(lexicon: Lexicon, seed: UInt64, dimension: Int, threads: Int, to url: URL) throws -> Int {
        func center(_ index: UInt64) -> [Double] {
            var random = SyntheticRandom(seed: seed, stream: .wordVectors, index: (1 << 40) + index)
            return (0..<dimension).map { _ in 0.4 * random.normal() }
        }
        let topicCenters = (0..<lexicon.topicCount).map { center(UInt64($0)) }
        let subcategoryCenters = (0..<lexicon.subcategoryNames.count).map { center(1_000 + UInt64($0)) }
        let common = center(1 << 20)

        var list: [(word: String, id: Int)] = []
        for (id, word) in lexicon.words.enumerated() where lexicon.wordCovered[id] { list.append((word, id)) }
        for (offset, word) in lexicon.extraVectorWords.enumerated() {
            list.append((word, lexicon.words.count + offset))
        }
        let entries = list
        let functionCount = lexicon.functionWordIDs.count
        let chunk = 4096
        let chunks = parallelMap(jobs: (entries.count + chunk - 1) / chunk, threads: threads) { job, _ in
            var bytes: [UInt8] = []
            var vector = [Double](repeating: 0, count: dimension)
            for (word, id) in entries[job * chunk..<min(entries.count, (job + 1) * chunk)] {
                var random = SyntheticRandom(seed: seed, stream: .wordVectors, index: UInt64(id))
                if id >= lexicon.words.count {
                    for d in 0..<dimension { vector[d] = 0.5 * random.normal() }
                } else if id < functionCount {
                    for d in 0..<dimension { vector[d] = 0.6 * common[d] + 0.3 * random.normal() }
                } else if lexicon.wordTopic[id] < 0 {
                    for d in 0..<dimension { vector[d] = 0.3 * common[d] + 0.5 * random.normal() }
                } else {
                    let topic = topicCenters[Int(lexicon.wordTopic[id])]
                    let subcategory = lexicon.wordSubcategory[id]
                    for d in 0..<dimension {
                        vector[d] = topic[d] + 0.45 * random.normal()
                        if subcategory >= 0 { vector[d] += 0.7 * subcategoryCenters[Int(subcategory)][d] }
                    }
                }
                bytes += word.utf8
                for value in vector {
                    bytes.append(UInt8(ascii: " "))
                    ByteText.appendFixed(value, decimals: 5, to: &bytes)
                }
                bytes.append(UInt8(ascii: "\n"))
            }
            return bytes
        }
        let file = try AtomicFileWriter(path: url.path)
        for bytes in chunks { try file.write(bytes) }
        try file.close()
        return entries.count
    }
}
