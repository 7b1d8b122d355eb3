/// The topics, words and named entities the synthetic titles are made of.
///
/// Topics are MIND's 18 top-level categories, each with a few of MIND's subcategories. Every category owns a
/// vocabulary (a handful of real English words plus generated pseudo-words, sized to the catalog) and a list of
/// named entities; every subcategory owns a smaller vocabulary; function words and a shared vocabulary belong
/// to no topic. Words are lower-case ASCII letters or digits, so `Tokenizer` maps them one to one.
struct Lexicon: Sendable {
    /// A top-level category (one topic of the click model).
    struct Category: Sendable {
        var name: String
        /// Share of the news articles in this category (normalised over all categories).
        var share: Double
        var subcategories: [String]
        var seedWords: [String]
    }

    /// A named entity that titles can mention.
    struct EntityEntry: Sendable {
        /// The surface form as written in titles, e.g. `Kelvash Dorran`.
        var surface: String
        /// Lower-case words of `surface` (vocabulary ids).
        var words: [Int32]
        /// MIND entity type: `P` person, `O` organisation, `G` place, `C` concept, `E` event.
        var type: String
        var wikidataID: String
    }

    /// Category table, MIND-like names and proportions (news and sports dominate, kids/middleeast/games are rare).
    static let categories: [Category] = [
        Category(name: "news", share: 0.24,
                 subcategories: ["newsus", "newspolitics", "newsworld", "newscrime", "newsscienceandtechnology"],
                 seedWords: ["election", "senate", "president", "governor", "court", "police", "congress",
                             "impeachment", "officials", "investigation", "vote", "law", "mayor", "protest"]),
        Category(name: "sports", share: 0.22,
                 subcategories: ["football_nfl", "basketball_nba", "baseball_mlb", "soccer", "golf", "icehockey_nhl"],
                 seedWords: ["season", "coach", "quarterback", "win", "team", "playoffs", "score", "league",
                             "touchdown", "injury", "players", "championship", "draft", "victory"]),
        Category(name: "finance", share: 0.07,
                 subcategories: ["finance-companies", "markets", "personalfinance", "realestate"],
                 seedWords: ["stocks", "market", "earnings", "investors", "shares", "bank", "economy",
                             "retirement", "mortgage", "prices", "tax", "billion", "dow", "savings"]),
        Category(name: "foodanddrink", share: 0.06,
                 subcategories: ["recipes", "restaurants", "foodnews"],
                 seedWords: ["recipe", "chicken", "dinner", "restaurant", "cheese", "cake", "thanksgiving",
                             "pizza", "cookies", "soup", "chef", "menu", "kitchen", "pie"]),
        Category(name: "lifestyle", share: 0.06,
                 subcategories: ["lifestylebuzz", "lifestyleroyals", "lifestylehomeandgarden", "pets"],
                 seedWords: ["royal", "prince", "christmas", "dog", "wedding", "holiday", "family", "baby",
                             "fashion", "queen", "style", "gift", "cat", "decor"]),
        Category(name: "travel", share: 0.05,
                 subcategories: ["travelnews", "traveltrips"],
                 seedWords: ["trip", "hotel", "airport", "flight", "beach", "vacation", "destinations", "cruise",
                             "island", "passengers", "airline", "tourists", "resort", "luggage"]),
        Category(name: "video", share: 0.05,
                 subcategories: ["viral", "animals", "news"],
                 seedWords: ["video", "viral", "watch", "caught", "camera", "footage", "moment", "rescue", "clip",
                             "bear", "shark", "deer", "drone", "incredible"]),
        Category(name: "weather", share: 0.05,
                 subcategories: ["weathertopstories", "weathernews"],
                 seedWords: ["storm", "snow", "rain", "winds", "forecast", "temperatures", "cold", "freeze",
                             "hurricane", "tornado", "flooding", "weather", "arctic", "frost"]),
        Category(name: "health", share: 0.045,
                 subcategories: ["wellness", "medical", "fitness", "nutrition"],
                 seedWords: ["health", "cancer", "doctors", "diet", "study", "heart", "weight", "sleep", "disease",
                             "patients", "symptoms", "exercise", "brain", "vitamin"]),
        Category(name: "autos", share: 0.04,
                 subcategories: ["autosnews", "autosreviews", "autoselectric"],
                 seedWords: ["car", "truck", "ford", "tesla", "suv", "engine", "electric", "chevrolet", "toyota",
                             "vehicle", "driving", "mustang", "recall", "horsepower"]),
        Category(name: "tv", share: 0.03,
                 subcategories: ["tvnews", "tv-celebrity", "tvreviews"],
                 seedWords: ["episode", "series", "finale", "netflix", "sitcom", "host", "premiere", "cast",
                             "network", "jeopardy", "reality", "ratings", "drama", "contestant"]),
        Category(name: "music", share: 0.025,
                 subcategories: ["musicnews", "music-celebrity"],
                 seedWords: ["album", "song", "singer", "concert", "tour", "rapper", "grammy", "band", "country",
                             "lyrics", "music", "guitar", "festival", "billboard"]),
        Category(name: "movies", share: 0.025,
                 subcategories: ["movienews", "movies-celebrity", "movievideo"],
                 seedWords: ["movie", "film", "trailer", "box", "office", "director", "sequel", "oscar", "actor",
                             "marvel", "cinema", "hollywood", "disney", "starring"]),
        Category(name: "entertainment", share: 0.025,
                 subcategories: ["entertainment-celebrity", "celebrity"],
                 seedWords: ["celebrity", "star", "kardashian", "divorce", "dating", "photos", "actress",
                             "instagram", "birthday", "rumors", "couple", "carpet", "awards", "gossip"]),
        Category(name: "kids", share: 0.01,
                 subcategories: ["kids-animals", "kids-school"],
                 seedWords: ["kids", "children", "school", "toys", "students", "teacher", "playground", "cartoon",
                             "puppy", "kitten", "homework", "parents", "classroom", "zoo"]),
        Category(name: "middleeast", share: 0.005,
                 subcategories: ["middleeast-news"],
                 seedWords: ["iran", "israel", "syria", "saudi", "iraq", "gulf", "ankara", "lebanon", "tehran",
                             "jerusalem", "kurdish", "yemen", "dubai", "riyadh"]),
        Category(name: "northamerica", share: 0.005,
                 subcategories: ["northamerica-news"],
                 seedWords: ["canada", "mexico", "ottawa", "toronto", "quebec", "vancouver", "trudeau", "alberta",
                             "ontario", "montreal", "border", "mexican", "canadian", "yukon"]),
        Category(name: "games", share: 0.01,
                 subcategories: ["gaming", "esports"],
                 seedWords: ["gaming", "xbox", "playstation", "nintendo", "console", "gamers", "fortnite",
                             "pokemon", "controller", "minecraft", "arcade", "multiplayer", "twitch", "esport"]),
    ]

    /// Words of no topic that glue titles together (always covered by the word vectors).
    static let functionWords = [
        "the", "a", "an", "of", "to", "in", "for", "on", "with", "at", "by", "from", "as", "and", "or", "is",
        "are", "was", "be", "his", "her", "their", "its", "this", "that", "about", "after", "over", "into", "how",
        "why", "what", "who", "will", "can", "not", "it", "you", "your", "up", "out", "just", "more", "than",
    ]

    /// Topic-free content words shared by every category.
    static let sharedSeedWords = [
        "says", "new", "year", "years", "first", "last", "time", "day", "week", "people", "world", "best", "top",
        "report", "could", "back", "big", "man", "woman", "old", "life", "major", "state", "city", "former",
        "latest", "next", "after", "here", "ways", "things", "news", "2019", "10", "5", "3", "20", "million",
    ]

    let categories: [Category]
    /// Index of the first subcategory of each category in the flat subcategory list.
    let subcategoryStart: [Int]
    /// Category of each flat subcategory.
    let subcategoryCategory: [Int]
    let subcategoryNames: [String]

    /// Every word; a word's vocabulary id is its index.
    let words: [String]
    /// Topic (category index) of each word, or -1 for function and shared words.
    let wordTopic: [Int32]
    /// Flat subcategory index of each word, or -1.
    let wordSubcategory: [Int32]
    /// Whether the word gets a vector in `glove.txt`.
    let wordCovered: [Bool]

    let functionWordIDs: [Int32]
    let sharedWordIDs: [Int32]
    let categoryWordIDs: [[Int32]]
    let subcategoryWordIDs: [[Int32]]
    let entities: [[EntityEntry]]

    let sharedSampler: ZipfSampler
    let categorySamplers: [ZipfSampler]
    let subcategorySamplers: [ZipfSampler]
    let entitySamplers: [ZipfSampler]

    /// Pseudo-words that appear in no title but are in `glove.txt` (real GloVe files hold many such words).
    let extraVectorWords: [String]

    /// Builds the lexicon for a catalog of `newsCount` articles: vocabulary sizes grow with the catalog
    /// (about 0.35 words per article, at least ~40 per category), so MIND-large-sized catalogs get a
    /// MIND-like vocabulary of tens of thousands of words.
    /// - Parameter coverage: the fraction of topic words that get a word vector.
    init(seed: UInt64, newsCount: Int, coverage: Double = 0.9) {
        let categories = Self.categories
        self.categories = categories
        let subcategoryStart = Self.firstSubcategories(of: categories)
        self.subcategoryStart = subcategoryStart
        subcategoryCategory = categories.indices.flatMap { topic in
            [Int](repeating: topic, count: categories[topic].subcategories.count)
        }
        subcategoryNames = categories.flatMap(\.subcategories)

        var builder = Builder(seed: seed, newsCount: newsCount, coverage: coverage)
        functionWordIDs = builder.addFunctionWords()
        let sharedWordIDs = builder.addSharedWords()
        self.sharedWordIDs = sharedWordIDs
        let topical = builder.addTopicalWords(of: categories, subcategoryStart: subcategoryStart)
        categoryWordIDs = topical.categoryWords
        subcategoryWordIDs = topical.subcategoryWords
        entities = topical.entities
        extraVectorWords = builder.drawExtraVectorWords()

        words = builder.words
        wordTopic = builder.wordTopic
        wordSubcategory = builder.wordSubcategory
        wordCovered = builder.wordCovered
        sharedSampler = ZipfSampler(count: sharedWordIDs.count, exponent: 1.0)
        categorySamplers = topical.categoryWords.map { ZipfSampler(count: $0.count, exponent: 1.0) }
        subcategorySamplers = topical.subcategoryWords.map { ZipfSampler(count: $0.count, exponent: 0.8) }
        entitySamplers = topical.entities.map { ZipfSampler(count: $0.count, exponent: 1.1) }
    }

    var topicCount: Int { categories.count }

    static func capitalized(_ word: String) -> String {
        guard let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
    }

    /// Index of each category's first subcategory in the flat subcategory list (categories in order, each
    /// followed by its subcategories).
    private static func firstSubcategories(of categories: [Category]) -> [Int] {
        var starts: [Int] = []
        var next = 0
        for category in categories {
            starts.append(next)
            next += category.subcategories.count
        }
        return starts
    }
}

extension Lexicon {
    /// MIND entity types: person, organisation, place (geographic), concept, event.
    fileprivate static let entityTypes = ["P", "O", "G", "C", "E"]

    /// The words and named entities that belong to a topic.
    fileprivate struct TopicalWords {
        /// Per category, its words in shuffled order (the order sets their Zipf ranks).
        var categoryWords: [[Int32]] = []
        /// Per flat subcategory, its words.
        var subcategoryWords: [[Int32]] = []
        /// Per category, its named entities.
        var entities: [[EntityEntry]] = []
    }

    /// Builds a lexicon's vocabulary from the lexicon's random stream: every added word gets the next vocabulary
    /// id and its topic, subcategory and vector coverage; a word already known is not added twice.
    ///
    /// The steps must run in the order of `Lexicon.init`, since they draw from one stream one after another.
    fileprivate struct Builder {
        private let newsCount: Int
        /// The probability that a topic pseudo-word gets a word vector.
        private let topicCoverage: Double
        private var random: SyntheticRandom
        private var pseudo = PseudoWordMaker()
        /// Every word made so far, including the extra vector words.
        private var known = Set<String>()

        private(set) var words: [String] = []
        private(set) var wordTopic: [Int32] = []
        private(set) var wordSubcategory: [Int32] = []
        private(set) var wordCovered: [Bool] = []

        init(seed: UInt64, newsCount: Int, coverage: Double) {
            self.newsCount = newsCount
            topicCoverage = coverage
            random = SyntheticRandom(seed: seed, stream: .lexicon)
        }

        /// Adds `word` with its topic and subcategory (-1 for none).
        /// - Returns: its vocabulary id, or `nil` when the word was already made.
        private mutating func add(_ word: String, topic: Int, subcategory: Int, covered: Bool) -> Int32? {
            guard known.insert(word).inserted else { return nil }
            words.append(word)
            wordTopic.append(Int32(topic))
            wordSubcategory.append(Int32(subcategory))
            wordCovered.append(covered)
            return Int32(words.count - 1)
        }

        /// Adds a new pseudo-word, covered by a word vector with probability `coverage` (one draw, before the
        /// word's; pseudo-words already made are redrawn).
        /// - Returns: its vocabulary id.
        private mutating func addPseudoWord(topic: Int, subcategory: Int, coverage: Double) -> Int32 {
            let covered = random.bernoulli(coverage)
            while true {
                let word = pseudo.make(&random)
                if let id = add(word, topic: topic, subcategory: subcategory, covered: covered) { return id }
            }
        }

        /// Adds the function words (all covered); they take the first vocabulary ids.
        mutating func addFunctionWords() -> [Int32] {
            Lexicon.functionWords.compactMap { add($0, topic: -1, subcategory: -1, covered: true) }
        }

        /// Adds the shared seed words (all covered) and `max(60, newsCount / 40)` shared pseudo-words (97% covered).
        mutating func addSharedWords() -> [Int32] {
            var shared = Lexicon.sharedSeedWords.compactMap { add($0, topic: -1, subcategory: -1, covered: true) }
            for _ in 0..<max(60, newsCount / 40) {
                shared.append(addPseudoWord(topic: -1, subcategory: -1, coverage: 0.97))
            }
            return shared
        }

        /// Adds, category by category, the category's words, its subcategories' words and its named entities,
        /// sized by the category's share of the news.
        mutating func addTopicalWords(of categories: [Category], subcategoryStart: [Int]) -> TopicalWords {
            var topical = TopicalWords()
            let totalShare = categories.reduce(0) { $0 + $1.share }
            var nextWikidata = 1000 + random.below(9000)
            for (topic, category) in categories.enumerated() {
                let share = category.share / totalShare
                topical.categoryWords.append(addCategoryWords(of: category, topic: topic, share: share))
                topical.subcategoryWords += addSubcategoryWords(of: category, topic: topic, share: share,
                                                                firstSubcategory: subcategoryStart[topic])
                topical.entities.append(addEntities(topic: topic, share: share, nextWikidata: &nextWikidata))
            }
            return topical
        }

        /// The category's seed words (covered) and at least 30 pseudo-words, shuffled.
        private mutating func addCategoryWords(of category: Category, topic: Int, share: Double) -> [Int32] {
            var list = category.seedWords.compactMap { add($0, topic: topic, subcategory: -1, covered: true) }
            let pseudoCount = max(30, Int(Double(newsCount) * share * 0.25))
            for _ in 0..<pseudoCount {
                list.append(addPseudoWord(topic: topic, subcategory: -1, coverage: topicCoverage))
            }
            random.shuffle(&list)
            return list
        }

        /// At least 10 pseudo-words for each of the category's subcategories, whose flat indices start at
        /// `firstSubcategory`.
        private mutating func addSubcategoryWords(of category: Category, topic: Int, share: Double,
                                                  firstSubcategory: Int) -> [[Int32]] {
            let subcategories = category.subcategories.count
            var lists = [[Int32]](repeating: [], count: subcategories)
            for offset in 0..<subcategories {
                let count = max(10, Int(Double(newsCount) * share * 0.08 / Double(subcategories)))
                for _ in 0..<count {
                    lists[offset].append(addPseudoWord(topic: topic, subcategory: firstSubcategory + offset,
                                                       coverage: topicCoverage))
                }
            }
            return lists
        }

        /// At least 8 named entities of the topic: one or two capitalised pseudo-words, a MIND entity type and a
        /// Wikidata id, increasing from `nextWikidata`.
        private mutating func addEntities(topic: Int, share: Double, nextWikidata: inout Int) -> [EntityEntry] {
            var named: [EntityEntry] = []
            for _ in 0..<max(8, Int(Double(newsCount) * share * 0.05)) {
                let length = random.bernoulli(0.6) ? 2 : 1
                var ids: [Int32] = []
                for _ in 0..<length {
                    ids.append(addPseudoWord(topic: topic, subcategory: -1, coverage: topicCoverage))
                }
                let surface = ids.map { Lexicon.capitalized(words[Int($0)]) }.joined(separator: " ")
                nextWikidata += 1 + random.below(50)
                let type = Lexicon.entityTypes[random.below(Lexicon.entityTypes.count)]
                named.append(EntityEntry(surface: surface, words: ids, type: type, wikidataID: "Q\(nextWikidata)"))
            }
            return named
        }

        /// `max(20, words / 50)` pseudo-words for `glove.txt` only (draws that repeat a known word are dropped).
        mutating func drawExtraVectorWords() -> [String] {
            var extra: [String] = []
            for _ in 0..<max(20, words.count / 50) {
                let word = pseudo.make(&random)
                if known.insert(word).inserted { extra.append(word) }
            }
            return extra
        }
    }
}

/// Pronounceable pseudo-words from consonant–vowel syllables (`kelvash`, `dorran`).
struct PseudoWordMaker {
    private static let onsets = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
                                 "w", "z", "br", "ch", "cr", "dr", "gr", "pl", "sh", "st", "th", "tr"]
    private static let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
    private static let codas = ["", "", "", "", "", "n", "r", "l", "s", "t", "x"]

    mutating func make(_ random: inout SyntheticRandom) -> String {
        let syllables = 2 + (random.bernoulli(0.4) ? 1 : 0) + (random.bernoulli(0.05) ? 1 : 0)
        var word = ""
        for _ in 0..<syllables {
            word += Self.onsets[random.below(Self.onsets.count)]
            word += Self.vowels[random.below(Self.vowels.count)]
            word += Self.codas[random.below(Self.codas.count)]
        }
        return word
    }
}
