/// One entity annotation of a title or abstract (the JSON objects of news.tsv columns 7 and 8).
public struct Entity: Hashable, Sendable, Codable {
    public var label: String
    public var type: String
    public var wikidataID: String
    public var confidence: Double
    public var occurrenceOffsets: [Int]
    public var surfaceForms: [String]

    public init(label: String, type: String, wikidataID: String, confidence: Double,
                occurrenceOffsets: [Int], surfaceForms: [String]) {
        self.label = label
        self.type = type
        self.wikidataID = wikidataID
        self.confidence = confidence
        self.occurrenceOffsets = occurrenceOffsets
        self.surfaceForms = surfaceForms
    }

    enum CodingKeys: String, CodingKey {
        case label = "Label", type = "Type", wikidataID = "WikidataId", confidence = "Confidence"
        case occurrenceOffsets = "OccurrenceOffsets", surfaceForms = "SurfaceForms"
    }
}

/// One line of `news.tsv`: all eight columns.
public struct NewsArticle: Hashable, Sendable {
    public var id: NewsID
    public var category: String
    public var subcategory: String
    public var title: String
    /// May be empty.
    public var abstract: String
    public var url: String
    public var titleEntities: [Entity]
    public var abstractEntities: [Entity]

    public init(id: NewsID, category: String, subcategory: String, title: String, abstract: String,
                url: String, titleEntities: [Entity] = [], abstractEntities: [Entity] = []) {
        self.id = id
        self.category = category
        self.subcategory = subcategory
        self.title = title
        self.abstract = abstract
        self.url = url
        self.titleEntities = titleEntities
        self.abstractEntities = abstractEntities
    }
}

/// One candidate shown in an impression: the news and whether it was clicked (`nil` in test splits).
public struct Candidate: Hashable, Sendable {
    public var news: NewsID
    /// `true` = clicked (`-1`), `false` = not clicked (`-0`), `nil` = unlabelled (test split).
    public var clicked: Bool?

    public init(news: NewsID, clicked: Bool?) {
        self.news = news
        self.clicked = clicked
    }
}

/// One line of `behaviors.tsv`: a user was shown candidates at a time, with a click history before it.
public struct Impression: Hashable, Sendable {
    /// The ImpressionID column (kept as written; MIND uses 1…N in file order).
    public var id: Int
    public var user: UserID
    /// Seconds since 1970-01-01 00:00:00 UTC of the Time column (`11/15/2019 10:22:32 AM`, read as UTC).
    public var time: Int64
    /// Clicked news before this impression, oldest first. May be empty.
    public var history: [NewsID]
    /// Candidates in file order.
    public var candidates: [Candidate]

    public init(id: Int, user: UserID, time: Int64, history: [NewsID], candidates: [Candidate]) {
        self.id = id
        self.user = user
        self.time = time
        self.history = history
        self.candidates = candidates
    }
}
