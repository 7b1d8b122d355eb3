/// One article in a `POST /v1/news` body: the text columns of a news.tsv line (no entities).
public struct ArticleBody: Codable, Sendable, Equatable {
    public var id: String
    public var category: String
    public var subcategory: String
    public var title: String
    /// Default "".
    public var abstract: String?
    /// Default "".
    public var url: String?

    public init(id: String, category: String, subcategory: String, title: String, abstract: String? = nil,
                url: String? = nil) {
        self.id = id
        self.category = category
        self.subcategory = subcategory
        self.title = title
        self.abstract = abstract
        self.url = url
    }
}

/// The body of `POST /v1/news`: `{"news": [{"id", "category", "subcategory", "title", "abstract"?, "url"?}]}`.
public struct NewsRequest: Codable, Sendable, Equatable {
    public var news: [ArticleBody]

    public init(news: [ArticleBody]) { self.news = news }
}

/// The answer of `POST /v1/news`, sent once the articles are committed and their vectors cached.
public struct NewsResponse: Codable, Sendable, Equatable {
    /// Articles in the request.
    public var received: Int
    /// Articles the store did not hold.
    public var inserted: Int
    /// Stored articles whose row changed.
    public var updated: Int
    /// Of `updated`, those whose title changed (their cached vectors, and those of users who clicked them, were
    /// dropped and are recomputed).
    public var retitled: Int
    /// Articles identical to the stored row.
    public var unchanged: Int
    /// News vectors encoded and cached for the served model.
    public var encoded: Int

    public init(received: Int, inserted: Int, updated: Int, retitled: Int, unchanged: Int, encoded: Int) {
        self.received = received
        self.inserted = inserted
        self.updated = updated
        self.retitled = retitled
        self.unchanged = unchanged
        self.encoded = encoded
    }
}
