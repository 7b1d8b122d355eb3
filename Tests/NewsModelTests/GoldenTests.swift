import Basics
import Foundation
import Testing
@testable import NewsModel
import TensorMath
import TestSupport

/// Compares the Swift model with the independent PyTorch reference (`Fixtures/golden/`, float64 autograd).
@Suite("Golden fixtures from PyTorch")
struct GoldenTests {
    struct BatchFile: Decodable {
        var titles: [[Int32]]
        var histories: [[Int32]]
        var candidates: [[Int32]]
    }

    /// Tensors whose gradient is exactly 0 in exact arithmetic (a bias in front of a softmax).
    static func isStructurallyZero(_ name: String, _ encoder: NRMSConfiguration.Encoder) -> Bool {
        switch encoder {
        case .fastformer: name.hasSuffix("attention.query_att.bias") || name.hasSuffix("attention.key_att.bias")
        case .mhsa: name.hasSuffix("attention.key.bias")
        }
    }

    func expectClose(_ actual: [Float], _ expected: [Float], _ label: String, relative: Float = 1e-4,
                     absolute: Float = 1e-6) {
        #expect(actual.count == expected.count, "\(label): \(actual.count) values, expected \(expected.count)")
        for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= absolute + relative * abs(e)) {
            Issue.record("\(label)[\(i)]: \(a) vs reference \(e)")
            return
        }
    }

    @Test("forward values, gradients and two Adam steps match PyTorch", arguments: NRMSConfiguration.Encoder.allCases)
    func golden(encoder: NRMSConfiguration.Encoder) throws {
        let directory = Fixtures.url("golden/\(encoder.rawValue)")
        let model = try Checkpoint.load(from: directory)
        let parameters = model.parameters
        let configuration = parameters.configuration
        #expect(configuration.encoder == encoder)
        let expected = try SafeTensors(contentsOf: directory.appendingPathComponent("expected.safetensors"))
        let file = try JSONDecoder().decode(BatchFile.self, from: Data(contentsOf: directory.appendingPathComponent("batch.json")))
        let batch = Batch(paddedTitles: file.titles.flatMap { $0 }, titleLength: file.titles[0].count,
                          paddedHistories: file.histories.flatMap { $0 }, historyLength: file.histories[0].count,
                          candidates: file.candidates.flatMap { $0 }, candidateCount: file.candidates[0].count)
        let workspace = model.makeWorkspace(threads: 2)
        var rng = SplitMix64(seed: 0)
        let loss = try model.lossAndGradients(batch, workspace: workspace, training: false, rng: &rng)
        expectClose(workspace.newsVectors(), expected["news_vectors"]!.values, "news_vectors")
        expectClose(workspace.userVectors(), expected["user_vectors"]!.values, "user_vectors")
        expectClose(workspace.scores(), expected["scores"]!.values, "scores")
        expectClose([loss], expected["loss"]!.values, "loss")
        #expect(workspace.newsVectors()[16..<24].allSatisfy { $0 == 0 }, "the empty title encodes to exactly 0")
        #expect(workspace.userVectors()[8..<16].allSatisfy { $0 == 0 }, "the empty history encodes to exactly 0")
        for entry in parameters.layout.entries {
            let reference = expected["grad." + entry.name]!.values
            let actual = Array(workspace.gradients.tensor(named: entry.name)!)
            if Self.isStructurallyZero(entry.name, encoder) {
                #expect(actual.allSatisfy { abs($0) < 1e-5 }, "grad.\(entry.name) should be ≈ 0: \(actual)")
            } else {
                expectClose(actual, reference, "grad.\(entry.name)")
            }
        }
        let initial = parameters.values.toArray()
        let adam = Adam(layout: parameters.layout, learningRate: 1e-3)
        for step in 0..<2 {
            if step > 0 {
                workspace.gradients.zero()
                _ = try model.lossAndGradients(batch, workspace: workspace, training: false, rng: &rng)
            }
            adam.step(parameters: parameters, gradients: workspace.gradients)
        }
        for entry in parameters.layout.entries {
            let reference = expected["adam2." + entry.name]!.values
            let actual = Array(parameters.tensor(named: entry.name)!)
            if Self.isStructurallyZero(entry.name, encoder) {
                for (i, value) in actual.enumerated() {
                    #expect(abs(value - initial[entry.offset + i]) <= 2.1e-3, "adam2.\(entry.name)[\(i)]")
                }
            } else {
                expectClose(actual, reference, "adam2.\(entry.name)", relative: 1e-4, absolute: 1e-5)
            }
        }
    }
}
