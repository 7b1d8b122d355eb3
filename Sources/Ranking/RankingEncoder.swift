import MIND
import NewsModel
import TensorMath

/// What the ranker needs from a trained model: the news encoder and the user encoder over news vectors.
/// `NRMSModel` is the real one; tests use small exact encoders.
///
/// The ranker calls an encoder from one thread at a time (it serialises encoder calls), so an implementation may
/// keep scratch buffers; it must give the same output for the same input regardless of what else it encoded.
public protocol RankingEncoder: AnyObject {
    /// Length of news and user vectors.
    var dimension: Int { get }
    /// How many of a user's most recent clicks the user encoder reads (50 for MIND models).
    var historyLength: Int { get }
    /// Encodes articles with the news encoder, spreading them over up to `threads` workers.
    ///
    /// - Returns: `[articles.count × dimension]`, row i for `articles[i]`.
    func encodeNews(_ articles: [NewsArticle], threads: Int) throws -> [Float]
    /// Encodes one user from the vectors of their clicked news.
    ///
    /// - Parameter history: `[count × dimension]`, oldest first, `1 ≤ count ≤ historyLength`.
    /// - Returns: `[dimension]`.
    func encodeUser(history: [Float], count: Int) throws -> [Float]
}

/// The ranker's view of an NRMS model: titles tokenised as in training (`titleTokens`), each encoded on its own
/// (`encodeEach`: a cached vector equals a fresh encoding bit for bit); a user's clicks encoded as one sequence of
/// the last `historyLength` vectors. Evaluation mode (no dropout).
extension NRMSModel: RankingEncoder {
    public func encodeNews(_ articles: [NewsArticle], threads: Int) throws -> [Float] {
        encodeEach(articles.map { titleTokens($0.title) }, threads: threads)
    }

    public func encodeUser(history: [Float], count: Int) throws -> [Float] {
        precondition(count >= 1 && history.count == count * dimension, "history must be [count × dimension]")
        let used = min(count, historyLength)
        var histories = PackedSequences()
        histories.append((count - used ..< count).map { Int32($0) })
        let workspace = takeWorkspace()
        defer { returnWorkspace(workspace) }
        return history.withUnsafeBufferPointer {
            encodeUsers(histories, newsVectors: $0.baseAddress!, workspace: workspace)
        }
    }
}
