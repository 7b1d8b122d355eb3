import Foundation
import Testing
@testable import NewsModel
import TensorMath
import TestSupport

@Suite("Layer gradients (finite differences)")
struct LayerGradientTests {
    @Test("linear: dW, db and dx")
    func linear() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 1)
        let layout = parameters.layout
        let layer = Linear(layout, "news_encoder.attention.query")   // 6 → 8
        let rows = 3
        let x = Tensor(shape: [rows, 6], values: randomValues(rows * 6, seed: 2))
        let y = Tensor(shape: [rows, 8])
        let weights = randomValues(rows * 8, seed: 3)
        func loss() -> Double {
            layer.forward(parameters: parameters.values.pointer, input: x.pointer, rows: rows, output: y.pointer)
            return projection(y.pointer, weights)
        }
        let gradients = NRMSGradients(layout: layout)
        let dy = Tensor(shape: [rows, 8], values: weights), dx = Tensor(shape: [rows, 6])
        layer.backward(parameters: parameters.values.pointer, gradients: gradients.denseBase, input: x.pointer,
                       outputGradient: dy.pointer, rows: rows, inputGradient: dx.pointer)
        for i in 0..<(8 * 6) {
            expectGradient(of: loss, at: parameters.values.pointer + layer.weight + i,
                           analytic: gradients[layer.weight + i], label: "W[\(i)]")
        }
        for i in 0..<8 {
            expectGradient(of: loss, at: parameters.values.pointer + layer.bias! + i,
                           analytic: gradients[layer.bias! + i], label: "b[\(i)]")
        }
        for i in 0..<x.count { expectGradient(of: loss, at: x.pointer + i, analytic: dx[i], label: "x[\(i)]") }
    }

    @Test("embedding: scatter-add into touched rows, repeated tokens accumulate", arguments: [1, 2])
    func embedding(threads: Int) throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 4)
        let layer = Embedding(layout: parameters.layout)
        let tokens: [Int32] = [3, 5, 3, 0, 11, 3]
        let out = Tensor(shape: [tokens.count, 6])
        let weights = randomValues(tokens.count * 6, seed: 5)
        func loss() -> Double {
            layer.forward(parameters: parameters.values.pointer, tokens: tokens, count: tokens.count,
                          output: out.pointer, threads: threads)
            return projection(out.pointer, weights)
        }
        let gradients = NRMSGradients(layout: parameters.layout)
        let dOut = Tensor(shape: [tokens.count, 6], values: weights)
        layer.backward(gradients: gradients, tokens: tokens, count: tokens.count, outputGradient: dOut.pointer,
                       threads: threads)
        #expect(Set(gradients.rows) == [0, 3, 5, 11])
        for row in [0, 1, 3, 5, 11] {
            for j in 0..<6 {
                expectGradient(of: loss, at: parameters.values.pointer + row * 6 + j,
                               analytic: gradients[row * 6 + j], label: "E[\(row), \(j)]")
            }
        }
        gradients.zero()
        #expect(gradients.rows.isEmpty)
        #expect(gradients.flatValues().allSatisfy { $0 == 0 })
    }

    /// Three packed sequences of 4, 2 and 0 rows (the last is empty).
    static let offsets: [Int32] = [0, 4, 6, 6]

    @Test("attention layers: parameters and inputs, with padding and an empty sequence",
          arguments: NRMSConfiguration.Encoder.allCases, [1, 2])
    func attention(encoder: NRMSConfiguration.Encoder, threads: Int) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try randomParameters(configuration, seed: 6)
        let layout = parameters.layout
        let prefix = "news_encoder.attention."
        let layer: any SequenceAttention = encoder == .fastformer
            ? FastformerAttention(layout: layout, prefix: prefix, heads: 2, threads: threads)
            : MultiHeadSelfAttention(layout: layout, prefix: prefix, heads: 2, threads: threads)
        let rows = 6
        let x = Tensor(shape: [rows, 6], values: randomValues(rows * 6, seed: 7))
        let weights = randomValues(rows * 8, seed: 8)
        func loss() -> Double {
            layer.forward(parameters: parameters.values.pointer, input: x.pointer, offsets: Self.offsets, sequences: 3)
            return projection(layer.output.pointer, weights)
        }
        _ = loss()
        let gradients = NRMSGradients(layout: layout)
        let dOut = Tensor(shape: [rows, 8], values: weights), dx = Tensor(shape: [rows, 6])
        layer.backward(parameters: parameters.values.pointer, gradients: gradients.denseBase,
                       outputGradient: dOut.pointer, inputGradient: dx.pointer)
        for entry in layout.entries where entry.name.hasPrefix(prefix) {
            for i in 0..<entry.count {
                expectGradient(of: loss, at: parameters.values.pointer + entry.offset + i,
                               analytic: gradients[entry.offset + i], label: "\(entry.name)[\(i)]")
            }
        }
        for i in 0..<x.count { expectGradient(of: loss, at: x.pointer + i, analytic: dx[i], label: "x[\(i)]") }
    }

    @Test("additive pooling: parameters and inputs; an empty sequence pools to zero")
    func pooling() throws {
        let configuration = tinyConfiguration(.fastformer)
        let parameters = try randomParameters(configuration, seed: 9)
        let layout = parameters.layout
        let layer = AdditivePooling(layout: layout, prefix: "user_encoder.pooling.", threads: 2)
        let x = Tensor(shape: [6, 8], values: randomValues(6 * 8, seed: 10))
        let weights = randomValues(3 * 8, seed: 11)
        func loss() -> Double {
            layer.forward(parameters: parameters.values.pointer, input: x.pointer, offsets: Self.offsets, sequences: 3)
            return projection(layer.output.pointer, weights)
        }
        _ = loss()
        #expect((16..<24).allSatisfy { layer.output[$0] == 0 })
        let gradients = NRMSGradients(layout: layout)
        let dOut = Tensor(shape: [3, 8], values: weights), dx = Tensor(shape: [6, 8])
        layer.backward(parameters: parameters.values.pointer, gradients: gradients.denseBase,
                       outputGradient: dOut.pointer, inputGradient: dx.pointer)
        for entry in layout.entries where entry.name.hasPrefix("user_encoder.pooling.") {
            for i in 0..<entry.count {
                expectGradient(of: loss, at: parameters.values.pointer + entry.offset + i,
                               analytic: gradients[entry.offset + i], label: "\(entry.name)[\(i)]")
            }
        }
        for i in 0..<x.count { expectGradient(of: loss, at: x.pointer + i, analytic: dx[i], label: "x[\(i)]") }
    }

    @Test("news encoder with dropout (fixed seed): embedding rows and every news-encoder tensor",
          arguments: NRMSConfiguration.Encoder.allCases)
    func newsEncoder(encoder: NRMSConfiguration.Encoder) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try randomParameters(configuration, seed: 12)
        let layer = NewsEncoder(configuration: configuration, layout: parameters.layout, threads: 2)
        // Title 1 has padding, title 2 is empty, length trimmed to 3 < 4.
        let titles = PackedSequences(padded: [2, 3, 4, 5, 0, 0, 0, 0, 0, 7, 3, 9], width: 3, padding: 0)
        let weights = randomValues(4 * 8, seed: 13)
        func loss() -> Double {
            layer.forward(parameters: parameters.values.pointer, titles: titles, dropoutSeed: 99)
            return projection(layer.output, weights)
        }
        _ = loss()
        #expect((16..<24).allSatisfy { layer.output[$0] == 0 }, "an empty title encodes to zero")
        let gradients = NRMSGradients(layout: parameters.layout)
        let dOut = Tensor(shape: [4, 8], values: weights)
        layer.backward(parameters: parameters.values.pointer, gradients: gradients, outputGradient: dOut.pointer)
        for entry in parameters.layout.entries where entry.name.hasPrefix("news_encoder.") {
            for i in sampleIndices(entry.count, count: 12) {
                expectGradient(of: loss, at: parameters.values.pointer + entry.offset + i,
                               analytic: gradients[entry.offset + i], label: "\(entry.name)[\(i)]")
            }
        }
        for row in [1, 2, 3, 5, 7, 9] {
            for j in 0..<6 {
                expectGradient(of: loss, at: parameters.values.pointer + row * 6 + j,
                               analytic: gradients[row * 6 + j], label: "E[\(row), \(j)]")
            }
        }
    }

    @Test("user encoder (attention + dropout + pooling): parameters and history vectors, empty history",
          arguments: NRMSConfiguration.Encoder.allCases)
    func userEncoder(encoder: NRMSConfiguration.Encoder) throws {
        let configuration = tinyConfiguration(encoder)
        let parameters = try randomParameters(configuration, seed: 14)
        let layer = SequenceEncoder(configuration: configuration, layout: parameters.layout, prefix: "user_encoder.",
                                    threads: 2)
        let x = Tensor(shape: [5, 8], values: randomValues(5 * 8, seed: 15))
        let offsets: [Int32] = [0, 2, 5, 5]
        let weights = randomValues(3 * 8, seed: 16)
        func loss() -> Double {
            layer.forward(parameters: parameters.values.pointer, input: x.pointer, offsets: offsets, sequences: 3,
                          dropoutSeed: 5)
            return projection(layer.output, weights)
        }
        _ = loss()
        #expect((16..<24).allSatisfy { layer.output[$0] == 0 }, "an empty history encodes to zero")
        let gradients = NRMSGradients(layout: parameters.layout)
        let dOut = Tensor(shape: [3, 8], values: weights), dx = Tensor(shape: [5, 8])
        layer.backward(parameters: parameters.values.pointer, gradients: gradients.denseBase,
                       outputGradient: dOut.pointer, inputGradient: dx.pointer)
        for entry in parameters.layout.entries where entry.name.hasPrefix("user_encoder.") {
            for i in sampleIndices(entry.count, count: 12) {
                expectGradient(of: loss, at: parameters.values.pointer + entry.offset + i,
                               analytic: gradients[entry.offset + i], label: "\(entry.name)[\(i)]")
            }
        }
        for i in 0..<x.count { expectGradient(of: loss, at: x.pointer + i, analytic: dx[i], label: "x[\(i)]") }
    }
}
