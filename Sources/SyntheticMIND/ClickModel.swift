import Foundation

/// The latent click model of a synthetic dataset: the truth that `oracle.json` ranks by.
///
/// ```
/// p(click | user u, news j) = σ(bias + b_u + a · ⟨interest_u, topics_j⟩ + γ · logPopularity_j)
/// ```
/// `interest_u` is a sparse Dirichlet draw over the topics (mixed with the category shares), `topics_j` the
/// article's topic mixture, `b_u` a per-user bias, `logPopularity_j` the centred log of the article's
/// popularity. `bias` is calibrated so that the click-through rate of the labelled impressions — after keeping
/// only impressions with at least one click, as MIND does — equals the target (4% by default, MIND's rate).
public struct ClickModel: Sendable, Codable, Equatable {
    /// `a`: weight of the user–topic affinity (in [0, 1]) in the logit.
    public var affinityScale: Double
    /// `γ`: weight of the centred log popularity.
    public var popularityScale: Double
    /// Standard deviation of the per-user bias `b_u`.
    public var userBiasDeviation: Double
    /// The calibrated global bias.
    public var bias: Double

    static let standard = ClickModel(affinityScale: 14.0, popularityScale: 0.3, userBiasDeviation: 0.4, bias: 0)

    /// The logit without the global bias.
    @inline(__always)
    func partialLogit(user: UserProfile, news: Int, catalog: NewsCatalog) -> Double {
        let topicCount = catalog.topicCount
        var affinity: Float = 0
        catalog.topics.withUnsafeBufferPointer { topics in
            user.interest.withUnsafeBufferPointer { interest in
                let row = news * topicCount
                for topic in 0..<topicCount { affinity += interest[topic] * topics[row + topic] }
            }
        }
        return user.bias + affinityScale * Double(affinity) + popularityScale * Double(catalog.logPopularity[news])
    }

    @inline(__always)
    func probability(partialLogit: Double) -> Double {
        1.0 / (1.0 + exp(-(bias + partialLogit)))
    }
}

/// A user's latent profile, a pure function of the seed and the user's index.
struct UserProfile: Sendable {
    /// Interest over topics, `[topics]`, sums to 1.
    var interest: [Float]
    /// The per-user bias `b_u` of the click model.
    var bias: Double
    /// Number of clicks in the history weeks (0 for a few users, as in MIND).
    var historyLength: Int

    /// Log-normal activity weight (σ = 0.9) of user `index`: how many impressions the user gets, relative to others.
    static func activity(seed: UInt64, user index: Int) -> Double {
        var random = SyntheticRandom(seed: seed, stream: .userActivity, index: UInt64(index))
        return exp(0.9 * random.normal())
    }

    init(seed: UInt64, user index: Int, lexicon: Lexicon, model: ClickModel) {
        var random = SyntheticRandom(seed: seed, stream: .userProfile, index: UInt64(index))
        let topicCount = lexicon.topicCount
        let sparse = random.dirichlet([Double](repeating: 0.12, count: topicCount))
        let totalShare = lexicon.categories.reduce(0) { $0 + $1.share }
        interest = (0..<topicCount).map { topic in
            Float(0.85 * sparse[topic] + 0.15 * lexicon.categories[topic].share / totalShare)
        }
        bias = model.userBiasDeviation * random.normal()
        let activity = Self.activity(seed: seed, user: index)
        if random.bernoulli(0.03) {
            historyLength = 0
        } else {
            let draw = exp(log(14.0) + 0.9 * random.normal()) * pow(activity, 0.4)
            historyLength = min(300, max(1, Int(draw.rounded())))
        }
    }
}

/// How many candidates an impression shows: log-normal around 27 (mean ≈ 37 with the tail, as in MIND's train
/// split), at least 5, at most 300.
@inline(__always)
func drawCandidateCount(_ random: inout SyntheticRandom) -> Int {
    min(300, max(5, Int(exp(log(27.0) + 0.75 * random.normal()).rounded())))
}
