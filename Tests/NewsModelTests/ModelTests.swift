import Basics
import Foundation
import Testing
@testable import NewsModel
import TensorMath
import TestSupport

/// A batch over 7 distinct titles: padding, an empty title (row 2), a history with padding, an empty
/// history, and news used both in histories and as candidates.
func tinyPaddedBatch() -> PaddedBatch {
    PaddedBatch(titles: [2, 3, 4, 0,
                        5, 6, 0, 0,
                        0, 0, 0, 0,
                        7, 8, 9, 10,
                        11, 1, 0, 0,
                        3, 3, 9, 0,
                        4, 0, 0, 0],
                histories: [-1, 0, 2,
                            -1, -1, -1,
                            3, 1, 5],
                candidates: [4, 1, 6, 2, 3,
                             0, 5, 6, 4, 2,
                             6, 0, 3, 4, 5])
}

func tinyBatch() -> Batch { tinyPaddedBatch().batch }

@Suite("NRMS model")
struct ModelTests {
    @Test("whole-model loss gradient matches finite differences for every tensor (dropout on, fixed seed)",
          arguments: NRMSConfiguration.Encoder.allCases)
    func modelGradient(encoder: NRMSConfiguration.Encoder) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try randomParameters(configuration, seed: 21, scale: 0.3)
        let workspace = model(parameters).makeWorkspace(threads: 2)
        let batch = tinyBatch()
        var rng = SplitMix64(seed: 77)
        let seed = rng
        let lossValue = try model(parameters).lossAndGradients(batch, workspace: workspace, training: true, rng: &rng)
        #expect(lossValue.isFinite && lossValue > 0)
        func loss() -> Double {
            var replay = seed
            let w = model(parameters).makeWorkspace()
            return Double(try! model(parameters).lossAndGradients(batch, workspace: w, training: true, rng: &replay))
        }
        for entry in parameters.layout.entries {
            let indices = entry.name == "word_embedding.weight"
                ? [1 * 6 + 2, 3 * 6, 3 * 6 + 5, 9 * 6 + 1, 11 * 6 + 4, 10 * 6 + 3]
                : sampleIndices(entry.count, count: 6)
            for i in indices {
                expectGradient(of: loss, at: parameters.values.pointer + entry.offset + i,
                               analytic: workspace.gradients[entry.offset + i], label: "\(entry.name)[\(i)]",
                               step: 3e-3)
            }
        }
        #expect(Set(workspace.gradients.rows) == Set(1...11), "padding (row 0) is never touched")
    }

    @Test("an empty history gives a zero user vector and zero scores; an empty title a zero news vector")
    func emptyInputs() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 3)
        let workspace = model(parameters).makeWorkspace()
        _ = try model(parameters).loss(tinyBatch(), workspace: workspace)
        #expect(workspace.userVectors()[8..<16].allSatisfy { $0 == 0 })
        #expect(workspace.scores()[5..<10].allSatisfy { $0 == 0 })
        #expect(workspace.newsVectors()[16..<24].allSatisfy { $0 == 0 })
    }

    @Test("dropout: same seed same loss, another seed another loss, evaluation ignores the generator")
    func dropoutDeterminism() throws {
        let configuration = tinyConfiguration(.fastformer, dropout: 0.3)
        let parameters = try randomParameters(configuration, seed: 4)
        let workspace = model(parameters).makeWorkspace(threads: 2)
        let batch = tinyBatch()
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1), c = SplitMix64(seed: 2)
        let la = try model(parameters).lossAndGradients(batch, workspace: workspace, training: true, rng: &a)
        let ga = workspace.gradients.flatValues()
        workspace.gradients.zero()
        let lb = try model(parameters).lossAndGradients(batch, workspace: workspace, training: true, rng: &b)
        #expect(la == lb)
        #expect(workspace.gradients.flatValues() == ga)
        let lc = try model(parameters).lossAndGradients(batch, workspace: workspace, training: true, rng: &c)
        #expect(la != lc)
        var d = SplitMix64(seed: 1), e = SplitMix64(seed: 9)
        let evaluation = try model(parameters).loss(batch, workspace: workspace)
        let ld = try model(parameters).lossAndGradients(batch, workspace: workspace, training: false, rng: &d)
        let le = try model(parameters).lossAndGradients(batch, workspace: workspace, training: false, rng: &e)
        #expect(ld == evaluation && le == evaluation && la != evaluation)
    }

    @Test("dedup: a news shared by several uses equals the same news duplicated as separate rows",
          arguments: NRMSConfiguration.Encoder.allCases)
    func dedup(encoder: NRMSConfiguration.Encoder) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try randomParameters(configuration, seed: 5)
        let padded = tinyPaddedBatch(), shared = padded.batch
        // Give every use of a title its own row.
        var titles: [Int32] = [], histories: [Int32] = [], candidates: [Int32] = []
        func copy(_ row: Int32) -> Int32 {
            if row < 0 { return -1 }
            titles += padded.titles[Int(row) * 4..<Int(row) * 4 + 4]
            return Int32(titles.count / 4 - 1)
        }
        for b in 0..<3 {
            histories += padded.histories[b * 3..<b * 3 + 3].map(copy)
            candidates += padded.candidates[b * 5..<b * 5 + 5].map(copy)
        }
        let duplicated = PaddedBatch(titles: titles, histories: histories, candidates: candidates).batch
        let w1 = model(parameters).makeWorkspace()
        let w2 = model(parameters).makeWorkspace()
        var r1 = SplitMix64(seed: 0), r2 = SplitMix64(seed: 0)
        let l1 = try model(parameters).lossAndGradients(shared, workspace: w1, training: false, rng: &r1)
        let l2 = try model(parameters).lossAndGradients(duplicated, workspace: w2, training: false, rng: &r2)
        #expect(abs(l1 - l2) < 1e-6)
        for i in 0..<parameters.layout.count {
            let (a, b) = (w1.gradients[i], w2.gradients[i])
            #expect(abs(a - b) <= 1e-5 + 1e-4 * abs(b), "gradient \(i): \(a) vs \(b)")
        }
    }

    @Test("lossDivisor: two half batches with the global divisor sum to the full batch")
    func splitBatch() throws {
        let configuration = tinyConfiguration(.mhsa)
        let parameters = try randomParameters(configuration, seed: 6)
        let padded = tinyPaddedBatch(), full = padded.batch
        func half(_ samples: Range<Int>) -> Batch {
            PaddedBatch(titles: padded.titles,
                        histories: Array(padded.histories[samples.lowerBound * 3..<samples.upperBound * 3]),
                        candidates: Array(padded.candidates[samples.lowerBound * 5..<samples.upperBound * 5])).batch
        }
        let w = model(parameters).makeWorkspace()
        let w1 = model(parameters).makeWorkspace()
        let w2 = model(parameters).makeWorkspace()
        var rng = SplitMix64(seed: 0)
        let loss = try model(parameters).lossAndGradients(full, workspace: w, training: false, rng: &rng)
        let l1 = try model(parameters).lossAndGradients(half(0..<1), workspace: w1, training: false, rng: &rng, lossDivisor: 3)
        let l2 = try model(parameters).lossAndGradients(half(1..<3), workspace: w2, training: false, rng: &rng, lossDivisor: 3)
        w1.gradients.add(w2.gradients)
        #expect(abs(loss - (l1 + l2)) < 1e-5)
        for i in 0..<parameters.layout.count {
            #expect(abs(w.gradients[i] - w1.gradients[i]) <= 1e-5 + 1e-4 * abs(w.gradients[i]))
        }
    }

    @Test("bad batches are rejected with a clear error")
    func invalidBatches() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 7)
        let workspace = model(parameters).makeWorkspace()
        var rng = SplitMix64(seed: 0)
        var batch = tinyBatch()
        batch.candidates[3] = 7
        #expect(throws: ModelError.invalidBatch("candidate 7 is not a title row < 7")) {
            try model(parameters).lossAndGradients(batch, workspace: workspace, training: true, rng: &rng)
        }
        batch = tinyBatch()
        var padded = tinyPaddedBatch()
        padded.titles[0] = 12
        batch = padded.batch
        #expect(throws: ModelError.self) { try model(parameters).loss(batch, workspace: workspace) }
        batch = tinyBatch()
        padded = tinyPaddedBatch()
        padded.histories[0] = -2
        batch = padded.batch
        #expect(throws: ModelError.self) { try model(parameters).loss(batch, workspace: workspace) }
    }

    @Test("inference API agrees with the training forward pass")
    func inference() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 8)
        let batch = tinyBatch()
        let workspace = model(parameters).makeWorkspace()
        let big = model(parameters).makeWorkspace()
        _ = try model(parameters).loss(batch, workspace: big)
        let news = model(parameters).encodeNews(batch.titles, workspace: workspace)
        #expect(zip(news, big.newsVectors()).allSatisfy { abs($0 - $1) < 1e-6 })
        let users = news.withUnsafeBufferPointer {
            model(parameters).encodeUsers(batch.histories, newsVectors: $0.baseAddress!, workspace: workspace)
        }
        #expect(zip(users, big.userVectors()).allSatisfy { abs($0 - $1) < 1e-6 })
        let all = NRMSModel.scores(users: users, news: news, hidden: 8)
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
            for i in base..<initial.count where i % 3 != 0 { gradients[i] = Float(i % 7) - 3 + Float(step) * 0.1 }
            _ = gradients.row(2)
            for j in 0..<6 { gradients[12 + j] = 0.5 }
            adam.step(parameters: parameters, gradients: gradients)
            for i in 0..<initial.count {
                let g = Double(gradients[i])
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

@Suite("Adam with deferred embedding rows")
struct DeferredAdamTests {
    @Test("deferring untouched rows gives the dense update bit for bit, with synchronizations at any step")
    func deferredEqualsDense() throws {
        let configuration = tinyConfiguration(.fastformer)
        let dense = try randomParameters(configuration, seed: 31), deferred = try randomParameters(configuration, seed: 31)
        let denseAdam = Adam(layout: dense.layout, learningRate: 0.01, threads: 2)
        let deferredAdam = Adam(layout: deferred.layout, learningRate: 0.01, threads: 2)
        deferredAdam.defersUntouchedRows = true
        let gradients = NRMSGradients(layout: dense.layout)
        var rng = SplitMix64(seed: 5)
        for step in 1...9 {
            gradients.zero()
            for _ in 0..<3 {
                let row = gradients.row(Int32(1 + rng.nextIndex(below: 11)))
                for j in 0..<6 { row[j] = Float(rng.nextGaussian()) }
            }
            if step == 4 { _ = gradients.row(7) }   // a row with an all-zero gradient
            for i in 0..<gradients.dense.count { gradients.dense[i] = Float(rng.nextGaussian()) }
            denseAdam.step(parameters: dense, gradients: gradients)
            deferredAdam.step(parameters: deferred, gradients: gradients)
            if step == 3 || step == 7 {
                deferredAdam.synchronize(parameters: deferred)
                #expect(deferred.values.toArray().map(\.bitPattern) == dense.values.toArray().map(\.bitPattern))
            }
        }
        deferredAdam.synchronize(parameters: deferred)
        #expect(deferred.values.toArray().map(\.bitPattern) == dense.values.toArray().map(\.bitPattern))
        #expect(deferredAdam.firstMoment.toArray().map(\.bitPattern) == denseAdam.firstMoment.toArray().map(\.bitPattern))
        #expect(deferredAdam.secondMoment.toArray().map(\.bitPattern) == denseAdam.secondMoment.toArray().map(\.bitPattern))
    }
}
