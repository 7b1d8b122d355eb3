import MIND

/// What the ranker needs from a trained model: the news encoder and the user encoder over news vectors.
///
/// The ranker calls an encoder from one thread at a time (it serialises encoder calls), so an implementation may
/// keep scratch buffers; it must give the same output for the same input regardless of what else it encoded.
public protocol RankingEncoder: AnyObject {
    /// Length of news and user vectors.
    var dimension: Int { get }
    /// How many of a user's most recent clicks the user encoder reads (50 for MIND models).
    var historyLength: Int { get }
    /// Encodes articles with the news encoder.
    ///
    /// - Returns: `[articles.count × dimension]`, row i for `articles[i]`.
    func encodeNews(_ articles: [NewsArticle]) throws -> [Float]
    /// Encodes one user from the vectors of their clicked news.
    ///
    /// - Parameter history: `[count × dimension]`, oldest first, `1 ≤ count ≤ historyLength`.
    /// - Returns: `[dimension]`.
    func encodeUser(history: [Float], count: Int) throws -> [Float]
}
