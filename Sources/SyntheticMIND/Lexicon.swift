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
        var random = SyntheticRandom(seed: seed, stream: .lexicon)
        let categories = Self.categories
        self.categories = categories
        var subcategoryStart: [Int] = []
        var subcategoryCategory: [Int] = []
        var subcategoryNames: [String] = []
        for (index, category) in categories.enumerated() {
            subcategoryStart.append(subcategoryNames.count)
            for name in category.subcategories {
                subcategoryNames.append(name)
                subcategoryCategory.append(index)
            }
        }
        self.subcategoryStart = subcategoryStart
        self.subcategoryCategory = subcategoryCategory
        self.subcategoryNames = subcategoryNames

        var words: [String] = []
        var wordTopic: [Int32] = []
        var wordSubcategory: [Int32] = []
        var wordCovered: [Bool] = []
        var known = Set<String>()
        var pseudo = PseudoWordMaker()

        func add(_ word: String, topic: Int, subcategory: Int, covered: Bool) -> Int32? {
            guard known.insert(word).inserted else { return nil }
            words.append(word)
            wordTopic.append(Int32(topic))
            wordSubcategory.append(Int32(subcategory))
            wordCovered.append(covered)
            return Int32(words.count - 1)
        }
        func addPseudo(topic: Int, subcategory: Int, covered: Bool) -> Int32 {
            while true {
                if let id = add(pseudo.make(&random), topic: topic, subcategory: subcategory, covered: covered) {
                    return id
                }
            }
        }

        functionWordIDs = Self.functionWords.compactMap { add($0, topic: -1, subcategory: -1, covered: true) }
        var shared = Self.sharedSeedWords.compactMap { add($0, topic: -1, subcategory: -1, covered: true) }
        for _ in 0..<max(60, newsCount / 40) {
            shared.append(addPseudo(topic: -1, subcategory: -1, covered: random.bernoulli(0.97)))
        }
        sharedWordIDs = shared

        var categoryWordIDs: [[Int32]] = []
        var subcategoryWordIDs = [[Int32]](repeating: [], count: subcategoryNames.count)
        var entities: [[EntityEntry]] = []
        let totalShare = categories.reduce(0) { $0 + $1.share }
        let types = ["P", "O", "G", "C", "E"]
        var nextWikidata = 1000 + random.below(9000)
        for (topic, category) in categories.enumerated() {
            let share = category.share / totalShare
            var list = category.seedWords.compactMap { add($0, topic: topic, subcategory: -1, covered: true) }
            let pseudoCount = max(30, Int(Double(newsCount) * share * 0.25))
            for _ in 0..<pseudoCount {
                list.append(addPseudo(topic: topic, subcategory: -1, covered: random.bernoulli(coverage)))
            }
            random.shuffle(&list)
            categoryWordIDs.append(list)
            for offset in 0..<category.subcategories.count {
                let flat = subcategoryStart[topic] + offset
                let count = max(10, Int(Double(newsCount) * share * 0.08 / Double(category.subcategories.count)))
                for _ in 0..<count {
                    subcategoryWordIDs[flat].append(addPseudo(topic: topic, subcategory: flat,
                                                              covered: random.bernoulli(coverage)))
                }
            }
            var named: [EntityEntry] = []
            for _ in 0..<max(8, Int(Double(newsCount) * share * 0.05)) {
                let length = random.bernoulli(0.6) ? 2 : 1
                var ids: [Int32] = []
                for _ in 0..<length {
                    ids.append(addPseudo(topic: topic, subcategory: -1, covered: random.bernoulli(coverage)))
                }
                let surface = ids.map { Self.capitalized(words[Int($0)]) }.joined(separator: " ")
                nextWikidata += 1 + random.below(50)
                named.append(EntityEntry(surface: surface, words: ids, type: types[random.below(types.count)],
                                         wikidataID: "Q\(nextWikidata)"))
            }
            entities.append(named)
        }
        self.categoryWordIDs = categoryWordIDs
        self.subcategoryWordIDs = subcategoryWordIDs
        self.entities = entities

        var extra: [String] = []
        for _ in 0..<max(20, words.count / 50) {
            let word = pseudo.make(&random)
            if known.insert(word).inserted { extra.append(word) }
        }
        extraVectorWords = extra

        self.words = words
        self.wordTopic = wordTopic
        self.wordSubcategory = wordSubcategory
        self.wordCovered = wordCovered
        sharedSampler = ZipfSampler(count: sharedWordIDs.count, exponent: 1.0)
        categorySamplers = categoryWordIDs.map { ZipfSampler(count: $0.count, exponent: 1.0) }
        subcategorySamplers = subcategoryWordIDs.map { ZipfSampler(count: $0.count, exponent: 0.8) }
        entitySamplers = entities.map { ZipfSampler(count: $0.count, exponent: 1.1) }
    }

    var topicCount: Int { categories.count }

    static func capitalized(_ word: String) -> String {
        guard let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
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
