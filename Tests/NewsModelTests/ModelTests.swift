import Basics
import Foundation
import Testing
@testable import NewsModel
import TensorMath

/// A batch over 7 distinct titles: padding, an empty title (row 2), a history with padding, an empty
/// history, and news used both in histories and as candidates.
func tinyBatch() -> ModelBatch {
    ModelBatch(titles: [2, 3, 4, 0,
                        5, 6, 0, 0,
                        0, 0, 0, 0,
                        7, 8, 9, 10,
                        11, 1, 0, 0,
                        3, 3, 9, 0,
                        4, 0, 0, 0],
               titleLength: 4,
               histories: [-1, 0, 2,
                           -1, -1, -1,
                           3, 1, 5],
               historyLength: 3,
               candidates: [4, 1, 6, 2, 3,
                            0, 5, 6, 4, 2,
                            6, 0, 3, 4, 5],
               candidateCount: 5)
}

@Suite("NRMS model")
struct ModelTests {
    @Test("whole-model loss gradient matches finite differences for every tensor (dropout on, fixed seed)",
          arguments: NRMSConfiguration.Encoder.allCases)
    func modelGradient(encoder: NRMSConfiguration.Encoder) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try randomParameters(configuration, seed: 21, scale: 0.3)
        let workspace = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8, threads: 2)
        let batch = tinyBatch()
        var rng = SplitMix64(seed: 77)
        let seed = rng
        let lossValue = try workspace.lossAndGradients(parameters: parameters, batch: batch, training: true, rng: &rng)
        #expect(lossValue.isFinite && lossValue > 0)
        func loss() -> Double {
            var replay = seed
            let w = try! NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
            return Double(try! w.lossAndGradients(parameters: parameters, batch: batch, training: true, rng: &replay))
        }
        for entry in parameters.layout.entries {
            let indices = entry.name == "word_embedding.weight"
                ? [1 * 6 + 2, 3 * 6, 3 * 6 + 5, 9 * 6 + 1, 11 * 6 + 4, 10 * 6 + 3]
                : sampleIndices(entry.count, count: 6)
            for i in indices {
                expectGradient(of: loss, at: parameters.values.pointer + entry.offset + i,
                               analytic: workspace.gradients.values[entry.offset + i], label: "\(entry.name)[\(i)]",
                               step: 3e-3)
            }
        }
        #expect(Set(workspace.gradients.touchedWordRows) == Set(1...11), "padding (row 0) is never touched")
    }

    @Test("an empty history gives a zero user vector and zero scores; an empty title a zero news vector")
    func emptyInputs() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 3)
        let workspace = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
        _ = try workspace.loss(parameters: parameters, batch: tinyBatch())
        #expect(workspace.userVectors()[8..<16].allSatisfy { $0 == 0 })
        #expect(workspace.scores()[5..<10].allSatisfy { $0 == 0 })
        #expect(workspace.newsVectors()[16..<24].allSatisfy { $0 == 0 })
    }

    @Test("dropout: same seed same loss, another seed another loss, evaluation ignores the generator")
    func dropoutDeterminism() throws {
        let configuration = tinyConfiguration(.fastformer, dropout: 0.3)
        let parameters = try randomParameters(configuration, seed: 4)
        let workspace = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8, threads: 2)
        let batch = tinyBatch()
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1), c = SplitMix64(seed: 2)
        let la = try workspace.lossAndGradients(parameters: parameters, batch: batch, training: true, rng: &a)
        let ga = workspace.gradients.values.toArray()
        workspace.gradients.zero()
        let lb = try workspace.lossAndGradients(parameters: parameters, batch: batch, training: true, rng: &b)
        #expect(la == lb)
        #expect(workspace.gradients.values.toArray() == ga)
        let lc = try workspace.lossAndGradients(parameters: parameters, batch: batch, training: true, rng: &c)
        #expect(la != lc)
        var d = SplitMix64(seed: 1), e = SplitMix64(seed: 9)
        let evaluation = try workspace.loss(parameters: parameters, batch: batch)
        let ld = try workspace.lossAndGradients(parameters: parameters, batch: batch, training: false, rng: &d)
        let le = try workspace.lossAndGradients(parameters: parameters, batch: batch, training: false, rng: &e)
        #expect(ld == evaluation && le == evaluation && la != evaluation)
    }

    @Test("dedup: a news shared by several uses equals the same news duplicated as separate rows",
          arguments: NRMSConfiguration.Encoder.allCases)
    func dedup(encoder: NRMSConfiguration.Encoder) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try randomParameters(configuration, seed: 5)
        let shared = tinyBatch()
        // Give every use of a title its own row.
        var titles: [Int32] = [], histories: [Int32] = [], candidates: [Int32] = []
        func copy(_ row: Int32) -> Int32 {
            if row < 0 { return -1 }
            titles += shared.titles[Int(row) * 4..<Int(row) * 4 + 4]
            return Int32(titles.count / 4 - 1)
        }
        for b in 0..<3 {
            histories += shared.histories[b * 3..<b * 3 + 3].map(copy)
            candidates += shared.candidates[b * 5..<b * 5 + 5].map(copy)
        }
        let duplicated = ModelBatch(titles: titles, titleLength: 4, histories: histories, historyLength: 3,
                                    candidates: candidates, candidateCount: 5)
        let w1 = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
        let w2 = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 30)
        var r1 = SplitMix64(seed: 0), r2 = SplitMix64(seed: 0)
        let l1 = try w1.lossAndGradients(parameters: parameters, batch: shared, training: false, rng: &r1)
        let l2 = try w2.lossAndGradients(parameters: parameters, batch: duplicated, training: false, rng: &r2)
        #expect(abs(l1 - l2) < 1e-6)
        for i in 0..<parameters.layout.count {
            let (a, b) = (w1.gradients.values[i], w2.gradients.values[i])
            #expect(abs(a - b) <= 1e-5 + 1e-4 * abs(b), "gradient \(i): \(a) vs \(b)")
        }
    }

    @Test("lossDivisor: two half batches with the global divisor sum to the full batch")
    func splitBatch() throws {
        let configuration = tinyConfiguration(.mhsa)
        let parameters = try randomParameters(configuration, seed: 6)
        let full = tinyBatch()
        func half(_ samples: Range<Int>) -> ModelBatch {
            ModelBatch(titles: full.titles, titleLength: 4,
                       histories: Array(full.histories[samples.lowerBound * 3..<samples.upperBound * 3]), historyLength: 3,
                       candidates: Array(full.candidates[samples.lowerBound * 5..<samples.upperBound * 5]), candidateCount: 5)
        }
        let w = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
        let w1 = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
        let w2 = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
        var rng = SplitMix64(seed: 0)
        let loss = try w.lossAndGradients(parameters: parameters, batch: full, training: false, rng: &rng)
        let l1 = try w1.lossAndGradients(parameters: parameters, batch: half(0..<1), training: false, rng: &rng, lossDivisor: 3)
        let l2 = try w2.lossAndGradients(parameters: parameters, batch: half(1..<3), training: false, rng: &rng, lossDivisor: 3)
        w1.gradients.add(w2.gradients)
        #expect(abs(loss - (l1 + l2)) < 1e-5)
        for i in 0..<parameters.layout.count {
            #expect(abs(w.gradients.values[i] - w1.gradients.values[i]) <= 1e-5 + 1e-4 * abs(w.gradients.values[i]))
        }
    }

    @Test("bad batches are rejected with a clear error")
    func invalidBatches() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 7)
        let workspace = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
        var rng = SplitMix64(seed: 0)
        var batch = tinyBatch()
        batch.candidates[3] = 7
        #expect(throws: ModelError.invalidBatch("candidate 7 is not a title row < 7")) {
            try workspace.lossAndGradients(parameters: parameters, batch: batch, training: true, rng: &rng)
        }
        batch = tinyBatch()
        batch.titles[0] = 12
        #expect(throws: ModelError.self) { try workspace.loss(parameters: parameters, batch: batch) }
        batch = tinyBatch()
        batch.histories[0] = -2
        #expect(throws: ModelError.self) { try workspace.loss(parameters: parameters, batch: batch) }
    }

    @Test("inference API agrees with the training forward pass")
    func inference() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 8)
        let batch = tinyBatch()
        let workspace = try NRMSWorkspace(configuration: configuration, maxBatchSize: 2, maxNews: 3)
        let big = try NRMSWorkspace(configuration: configuration, maxBatchSize: 3, maxNews: 8)
        _ = try big.loss(parameters: parameters, batch: batch)
        let news = workspace.encodeNews(parameters: parameters, titles: batch.titles, titleLength: 4)  // 3 chunks
        #expect(zip(news, big.newsVectors()).allSatisfy { abs($0 - $1) < 1e-6 })
        var history: [Float] = [], mask: [Float] = []
        for index in batch.histories {
            history += index < 0 ? Array(repeating: 0, count: 8) : Array(news[Int(index) * 8..<Int(index) * 8 + 8])
            mask.append(index < 0 ? 0 : 1)
        }
        let users = workspace.encodeUsers(parameters: parameters, historyVectors: history, mask: mask, length: 3)
        #expect(zip(users, big.userVectors()).allSatisfy { abs($0 - $1) < 1e-6 })
        let all = NRMSWorkspace.scores(users: users, news: news, hidden: 8)
        let scores = big.scores()
        for b in 0..<3 {
            for j in 0..<5 {
                #expect(abs(all[b * 7 + Int(batch.candidates[b * 5 + j])] - scores[b * 5 + j]) < 1e-5)
            }
        }
    }

    @Test("Adam matches a hand computation of torch.optim.Adam, including zero-gradient entries")
    func adam() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 9)
        let initial = parameters.values.toArray()
        let gradients = NRMSGradients(layout: parameters.layout)
        let adam = Adam(layout: parameters.layout, learningRate: 0.01, threads: 2)
        var expected = initial.map(Double.init)
        var m = [Double](repeating: 0, count: initial.count), v = m
        for step in 1...3 {
            gradients.zero()
            let base = parameters.layout.denseStart
            for i in base..<initial.count where i % 3 != 0 { gradients.values[i] = Float(i % 7) - 3 + Float(step) * 0.1 }
            gradients.markWordRow(2)
            for j in 0..<6 { gradients.values[12 + j] = 0.5 }
            adam.step(parameters: parameters, gradients: gradients)
            for i in 0..<initial.count {
                let g = Double(gradients.values[i])
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let stepSize = 0.01 / (1 - pow(0.9, Double(step)))
                expected[i] -= stepSize * m[i] / (v[i].squareRoot() / (1 - pow(0.999, Double(step))).squareRoot() + 1e-8)
            }
        }
        #expect(adam.stepCount == 3)
        for i in 0..<initial.count {
            #expect(abs(Double(parameters.values[i]) - expected[i]) < 1e-6, "parameter \(i)")
        }
        // Row 2 moved in step 1 only, yet keeps moving (its moments decay but stay non-zero).
        #expect(parameters.values[12] != initial[12])
        #expect(parameters.values[6] == initial[6])
    }
}
