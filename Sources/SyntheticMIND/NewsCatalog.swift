import Basics
import Foundation

/// Every news article of a synthetic dataset: its latent topic mixture, popularity and publish time (which the
/// click model uses) and its rendered `news.tsv` line (which models see).
///
/// Articles are indexed in publish order (`0` = oldest), so the articles "fresh" at a time form a contiguous
/// index range. Their MIND ids `N<number>` are a random permutation of `1…count`.
final class NewsCatalog: Sendable {
    let count: Int
    let topicCount: Int
    /// Unix seconds, ascending.
    let publishTime: [Int64]
    /// `exp((publishTime − Timeline.publishStart) / freshDecay)`: times `freshnessScale(at: t)` it is the
    /// freshness `exp(−age / freshDecay)` of the article at time `t`, without an `exp` per draw.
    let freshness: [Double]
    /// Heavy-tailed (log-normal) popularity weights.
    let popularity: [Double]
    /// `log(popularity) − mean log(popularity)`: the popularity feature of the click model.
    let logPopularity: [Float]
    /// `cumulative[i]` = sum of `popularity[0..<i]`; `count + 1` entries.
    let cumulative: [Double]
    /// Topic mixtures, `[count × topicCount]`, rows sum to 1, dominated by the article's category.
    let topics: [Float]
    let category: [Int32]
    let subcategory: [Int32]
    /// The number in the article's id `N<number>`.
    let idNumber: [Int32]
    /// The rendered `news.tsv` lines (with `\n`) of all articles, back to back.
    let lines: [UInt8]
    /// `lines[lineStart[i]..<lineStart[i + 1]]` is article `i`'s line.
    let lineStart: [Int]
    /// Word tokens over all titles (for the report's average title length).
    let titleWordTotal: Int

    /// Freshness decay time: a news is shown with weight ∝ popularity · exp(−age / freshDecay).
    static let freshDecay = 86_400.0
    /// Log-normal σ of popularity: the top 10% of articles hold about 70% of the popularity mass.
    static let popularitySigma = 2.3
    /// Share of the dominant category in an article's topic mixture; the rest is a sparse Dirichlet draw.
    static let categoryWeight: Float = 0.75

    init(seed: UInt64, count: Int, lexicon: Lexicon, threads: Int) {
        self.count = count
        let topicCount = lexicon.topicCount
        self.topicCount = topicCount
        var random = SyntheticRandom(seed: seed, stream: .catalog)

        let span = Double(Timeline.testEnd - Timeline.publishStart)
        var times = (0..<count).map { _ in Timeline.publishStart + Int64(random.uniform() * span) }
        times.sort()
        publishTime = times
        freshness = times.map { exp(Double($0 - Timeline.publishStart) / Self.freshDecay) }

        let popularity = (0..<count).map { _ in exp(Self.popularitySigma * random.normal()) }
        self.popularity = popularity
        let meanLog = popularity.reduce(0) { $0 + log($1) } / Double(max(1, count))
        logPopularity = popularity.map { Float(log($0) - meanLog) }
        var cumulative = [Double](repeating: 0, count: count + 1)
        for index in 0..<count { cumulative[index + 1] = cumulative[index] + popularity[index] }
        self.cumulative = cumulative

        var numbers = (0..<count).map { Int32($0 + 1) }
        random.shuffle(&numbers)
        idNumber = numbers
        let idNumbers = numbers

        let categoryTable = AliasTable(weights: lexicon.categories.map(\.share))
        let chunk = 2048
        let chunks = parallelMap(jobs: (count + chunk - 1) / chunk, threads: threads) { job, _ in
            var part = ArticleChunk()
            for index in job * chunk..<min(count, (job + 1) * chunk) {
                var articleRandom = SyntheticRandom(seed: seed, stream: .article, index: UInt64(index))
                let article = ArticleWriter.make(index: index, idNumber: idNumbers[index], lexicon: lexicon,
                                                 categoryTable: categoryTable, random: &articleRandom)
                part.append(article)
            }
            return part
        }
        var topics: [Float] = []
        topics.reserveCapacity(count * topicCount)
        var category: [Int32] = []
        var subcategory: [Int32] = []
        var lines: [UInt8] = []
        var lineStart: [Int] = [0]
        var titleWords = 0
        for part in chunks {
            topics += part.topics
            category += part.category
            subcategory += part.subcategory
            for length in part.lineLengths { lineStart.append(lineStart[lineStart.count - 1] + length) }
            lines += part.lines
            titleWords += part.titleWords
        }
        self.topics = topics
        self.category = category
        self.subcategory = subcategory
        self.lines = lines
        self.lineStart = lineStart
        titleWordTotal = titleWords
    }

    /// The range of articles published in `(time − window, time]`, widened to the `minimum` newest articles
    /// published by `time` (or the `minimum` oldest overall) when the catalog is too sparse.
    func freshRange(at time: Int64, window: Int64, minimum: Int) -> Range<Int> {
        var high = upperBound(time)
        var low = upperBound(time - window)
        if high - low < minimum {
            low = max(0, high - minimum)
            if high - low < minimum { high = min(count, low + minimum) }
        }
        return low..<high
    }

    /// `exp(−(time − Timeline.publishStart) / freshDecay)`, see `freshness`.
    func freshnessScale(at time: Int64) -> Double {
        exp(-Double(time - Timeline.publishStart) / Self.freshDecay)
    }

    /// The number of articles published at or before `time`.
    func upperBound(_ time: Int64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if publishTime[middle] <= time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// An article of `range` drawn with probability ∝ popularity.
    @inline(__always)
    func drawByPopularity(in range: Range<Int>, _ random: inout SyntheticRandom) -> Int {
        let base = cumulative[range.lowerBound]
        let target = base + random.uniform() * (cumulative[range.upperBound] - base)
        var low = range.lowerBound
        var high = range.upperBound - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle + 1] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// Articles generated by one job, in index order.
struct ArticleChunk {
    var topics: [Float] = []
    var category: [Int32] = []
    var subcategory: [Int32] = []
    var lines: [UInt8] = []
    var lineLengths: [Int] = []
    var titleWords = 0

    mutating func append(_ article: ArticleWriter.Article) {
        topics += article.topics
        category.append(Int32(article.category))
        subcategory.append(Int32(article.subcategory))
        lines += article.line
        lineLengths.append(article.line.count)
        titleWords += article.titleWords
    }
}

/// Draws one article's category, topic mixture, title, abstract and entities, and renders its `news.tsv` line.
enum ArticleWriter {
    struct Article {
        var category: Int
        var subcategory: Int
        var topics: [Float]
        var line: [UInt8]
        var titleWords: Int
    }

    /// A mention of an entity at a character offset of a title or abstract.
    private struct Mention {
        var topic: Int
        var entity: Int
        var offset: Int
        var confidence: Double
    }

    private enum Slot {
        case word(Int32)
        case entity(topic: Int, index: Int)
    }

    /// Draws article `index` from its own stream `random`: its subject, then its title, then (for 95% of articles)
    /// its abstract; then renders the line with the id `N<idNumber>`.
    static func make(index: Int, idNumber: Int32, lexicon: Lexicon, categoryTable: AliasTable,
                     random: inout SyntheticRandom) -> Article {
        let subject = Subject(lexicon: lexicon, categoryTable: categoryTable, random: &random)
        let titleSlots = subject.drawTitleSlots(&random)
        var titleMentions: [Mention] = []
        let title = subject.render(titleSlots, titleCase: true, mentions: &titleMentions, random: &random)
        var abstractMentions: [Mention] = []
        let abstract = subject.drawAbstract(mentions: &abstractMentions, random: &random)
        let line = renderLine(idNumber: idNumber, subject: subject, title: title, abstract: abstract,
                              titleMentions: titleMentions, abstractMentions: abstractMentions)
        return Article(category: subject.category, subcategory: subject.subcategory, topics: subject.topics,
                       line: line, titleWords: subject.wordCount(of: titleSlots))
    }

    /// What an article is about: its category, subcategory and topic mixture, which its words and entities are
    /// drawn from.
    private struct Subject {
        let lexicon: Lexicon
        let category: Int
        /// Flat subcategory index.
        let subcategory: Int
        /// `[topicCount]`, sums to 1: `NewsCatalog.categoryWeight` on the category plus a sparse Dirichlet spread.
        let topics: [Float]
        /// Running sums of `topics`, for drawing a topic.
        private let topicCumulative: [Double]
        private let topicTotal: Double

        /// Draws the category (by share), a subcategory of it (uniformly) and the topic mixture.
        init(lexicon: Lexicon, categoryTable: AliasTable, random: inout SyntheticRandom) {
            self.lexicon = lexicon
            let topicCount = lexicon.topicCount
            category = categoryTable.sample(&random)
            let subcategoryCount = lexicon.categories[category].subcategories.count
            subcategory = lexicon.subcategoryStart[category] + random.below(subcategoryCount)

            let spread = random.dirichlet([Double](repeating: 0.25, count: topicCount))
            var topics = spread.map { Float($0) * (1 - NewsCatalog.categoryWeight) }
            topics[category] += NewsCatalog.categoryWeight
            self.topics = topics
            var topicCumulative = [Double](repeating: 0, count: topicCount)
            var total = 0.0
            for topic in 0..<topicCount {
                total += Double(topics[topic])
                topicCumulative[topic] = total
            }
            self.topicCumulative = topicCumulative
            topicTotal = total
        }

        /// A topic drawn from the article's mixture.
        func drawTopic(_ random: inout SyntheticRandom) -> Int {
            let u = random.uniform() * topicTotal
            return topicCumulative.firstIndex { $0 > u } ?? (lexicon.topicCount - 1)
        }

        /// The title's slots: 4–22 slots (normal around 11), of which 0–2 entities, a quarter of the words
        /// function words.
        func drawTitleSlots(_ random: inout SyntheticRandom) -> [Slot] {
            let titleLength = min(22, max(4, Int((11.0 + 3.0 * random.normal()).rounded())))
            let titleEntityDraw = random.uniform()
            let titleEntities = titleEntityDraw < 0.35 ? 0 : (titleEntityDraw < 0.85 ? 1 : 2)
            return drawSlots(words: titleLength - titleEntities, functionShare: 0.25, entities: titleEntities,
                             random: &random)
        }

        /// The rendered abstract (8–80 words, normal around 35, and 0–2 entities), or empty for 5% of articles.
        func drawAbstract(mentions: inout [Mention], random: inout SyntheticRandom) -> [UInt8] {
            guard !random.bernoulli(0.05) else { return [] }
            let length = min(80, max(8, Int((35.0 + 10.0 * random.normal()).rounded())))
            let entities = random.below(3)
            let slots = drawSlots(words: length, functionShare: 0.38, entities: entities, random: &random)
            return render(slots, titleCase: false, mentions: &mentions, random: &random)
        }

        /// `words` word slots followed by `entities` entity slots inserted at random positions. An entity is of the
        /// article's category with probability 0.8, else of a topic drawn from the mixture.
        func drawSlots(words: Int, functionShare: Double, entities: Int, random: inout SyntheticRandom) -> [Slot] {
            var slots: [Slot] = []
            slots.reserveCapacity(words + entities)
            for _ in 0..<words {
                slots.append(.word(drawWord(functionShare: functionShare, random: &random)))
            }
            for _ in 0..<entities {
                let topic = random.bernoulli(0.8) ? category : drawTopic(&random)
                let entity = lexicon.entitySamplers[topic].sample(&random)
                slots.insert(.entity(topic: topic, index: entity), at: random.below(slots.count + 1))
            }
            return slots
        }

        /// One word: a function word with probability `functionShare`, a shared word with probability 0.2, else a
        /// word of a topic drawn from the mixture (of the subcategory's own words for 35% of the category's words).
        private func drawWord(functionShare: Double, random: inout SyntheticRandom) -> Int32 {
            let u = random.uniform()
            if u < functionShare {
                return lexicon.functionWordIDs[random.below(lexicon.functionWordIDs.count)]
            } else if u < functionShare + 0.2 {
                return lexicon.sharedWordIDs[lexicon.sharedSampler.sample(&random)]
            }
            let topic = drawTopic(&random)
            if topic == category && random.bernoulli(0.35) {
                let rank = lexicon.subcategorySamplers[subcategory].sample(&random)
                return lexicon.subcategoryWordIDs[subcategory][rank]
            }
            let rank = lexicon.categorySamplers[topic].sample(&random)
            return lexicon.categoryWordIDs[topic][rank]
        }

        /// Renders slots to text; `titleCase` capitalises every content word, otherwise only sentence starts.
        /// Records every entity slot in `mentions` with its character offset and a drawn confidence.
        func render(_ slots: [Slot], titleCase: Bool, mentions: inout [Mention],
                    random: inout SyntheticRandom) -> [UInt8] {
            var text: [UInt8] = []
            var sentenceStart = true
            for (position, slot) in slots.enumerated() {
                if position > 0 { text.append(UInt8(ascii: " ")) }
                switch slot {
                case let .word(id):
                    let word = lexicon.words[Int(id)]
                    let isFunction = Int(id) < lexicon.functionWordIDs.count  // function words come first
                    if sentenceStart || (titleCase && !isFunction) {
                        text += Lexicon.capitalized(word).utf8
                    } else {
                        text += word.utf8
                    }
                case let .entity(topic, entity):
                    mentions.append(Mention(topic: topic, entity: entity, offset: text.count,
                                            confidence: 0.55 + 0.45 * random.uniform()))
                    text += lexicon.entities[topic][entity].surface.utf8
                }
                sentenceStart = false
                if position + 1 < slots.count {
                    if !titleCase && position > 6 && random.bernoulli(0.06) {
                        text.append(UInt8(ascii: "."))
                        sentenceStart = true
                    } else if random.bernoulli(0.04) {
                        text.append(UInt8(ascii: ","))
                    }
                }
            }
            appendFinalPunctuation(to: &text, titleCase: titleCase, random: &random)
            return text
        }

        /// Ends a title with `?` (6%) or `!` (2%) or nothing, and a non-empty abstract with a full stop.
        private func appendFinalPunctuation(to text: inout [UInt8], titleCase: Bool, random: inout SyntheticRandom) {
            if titleCase {
                let u = random.uniform()
                if u < 0.06 { text.append(UInt8(ascii: "?")) } else if u < 0.08 { text.append(UInt8(ascii: "!")) }
            } else if !text.isEmpty {
                text.append(UInt8(ascii: "."))
            }
        }

        /// Word tokens in `slots`: one per word, the name's words per entity.
        func wordCount(of slots: [Slot]) -> Int {
            slots.reduce(0) { count, slot in
                if case let .entity(topic, entity) = slot { return count + lexicon.entities[topic][entity].words.count }
                return count + 1
            }
        }
    }

    /// The article's `news.tsv` line: id, category, subcategory, title, abstract, URL, title and abstract entities.
    private static func renderLine(idNumber: Int32, subject: Subject, title: [UInt8], abstract: [UInt8],
                                   titleMentions: [Mention], abstractMentions: [Mention]) -> [UInt8] {
        let lexicon = subject.lexicon
        var line: [UInt8] = []
        line.reserveCapacity(title.count + abstract.count + 400)
        line.append(UInt8(ascii: "N"))
        ByteText.appendInt(Int(idNumber), to: &line)
        line.append(UInt8(ascii: "\t"))
        line += lexicon.categories[subject.category].name.utf8
        line.append(UInt8(ascii: "\t"))
        line += lexicon.subcategoryNames[subject.subcategory].utf8
        line.append(UInt8(ascii: "\t"))
        line += title
        line.append(UInt8(ascii: "\t"))
        line += abstract
        line.append(UInt8(ascii: "\t"))
        appendURL(idNumber: idNumber, to: &line)
        line.append(UInt8(ascii: "\t"))
        appendEntities(titleMentions, lexicon: lexicon, to: &line)
        line.append(UInt8(ascii: "\t"))
        appendEntities(abstractMentions, lexicon: lexicon, to: &line)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// MIND's URL column, `https://assets.msn.com/labs/mind/AA<code>.html`, with a five-character base-36 code
    /// derived from the id number.
    private static func appendURL(idNumber: Int32, to line: inout [UInt8]) {
        line += "https://assets.msn.com/labs/mind/AA".utf8
        // An odd multiplier not divisible by 3 is a bijection modulo 36⁵, so URLs are distinct.
        var code = (Int(idNumber) &* 2_654_435_761) % 60_466_176
        var letters: [UInt8] = []
        let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for _ in 0..<5 {
            letters.append(digits[code % 36])
            code /= 36
        }
        line += letters.reversed()
        line += ".html".utf8
    }

    /// MIND's entity column: a JSON list with one object per distinct entity (all its offsets together), in
    /// Python `json.dumps` spacing, or `[]`.
    private static func appendEntities(_ mentions: [Mention], lexicon: Lexicon, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "["))
        var done: [(Int, Int)] = []
        for mention in mentions where !done.contains(where: { $0 == (mention.topic, mention.entity) }) {
            done.append((mention.topic, mention.entity))
            let entry = lexicon.entities[mention.topic][mention.entity]
            let offsets = mentions.filter { $0.topic == mention.topic && $0.entity == mention.entity }.map(\.offset)
            if done.count > 1 { line += ", ".utf8 }
            line += "{\"Label\": \"\(entry.surface)\", \"Type\": \"\(entry.type)\", ".utf8
            line += "\"WikidataId\": \"\(entry.wikidataID)\", \"Confidence\": ".utf8
            ByteText.appendFixed(mention.confidence, decimals: 3, to: &line)
            line += ", \"OccurrenceOffsets\": [".utf8
            line += offsets.map(String.init).joined(separator: ", ").utf8
            line += "], \"SurfaceForms\": [\"\(entry.surface)\"]}".utf8
        }
        line.append(UInt8(ascii: "]"))
    }
}
