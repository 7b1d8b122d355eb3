import Basics
import Foundation
import Testing
@testable import NewsModel
import TensorMath
import MIND
import TestSupport

/// A tiny configuration for gradient checks.
func tinyConfiguration(_ encoder: NRMSConfiguration.Encoder, dropout: Float = 0.2) -> NRMSConfiguration {
    NRMSConfiguration(encoder: encoder, wordDimension: 6, hiddenSize: 8, headCount: 2, poolingDimension: 5,
                      titleLength: 4, historyLength: 3, vocabularySize: 12, dropout: dropout)
}

/// Parameters with every value drawn from N(0, scale²): large enough that every gradient is visible.
func randomParameters(_ configuration: NRMSConfiguration, seed: UInt64, scale: Float = 0.4) throws -> NRMSParameters {
    let parameters = try NRMSParameters(configuration: configuration)
    var rng = SplitMix64(seed: seed)
    rng.fillGaussian(parameters.values.pointer, count: parameters.values.count, standardDeviation: scale)
    return parameters
}

/// Σ x[i]·weights[i] in Double: a scalar loss whose gradient w.r.t. x is `weights`.
func projection(_ x: UnsafePointer<Float>, _ weights: [Float]) -> Double {
    var total = 0.0
    for i in 0..<weights.count { total += Double(x[i]) * Double(weights[i]) }
    return total
}

/// Compares an analytic derivative with a central finite difference of `loss` in `value`.
///
/// Checks `|numeric − analytic| ≤ absolute + relative·max(|numeric|, |analytic|)`.
func expectGradient(of loss: () -> Double, at value: UnsafeMutablePointer<Float>, analytic: Float, label: String,
                    step: Float = 1e-2, absolute: Double = 2e-3, relative: Double = 2e-2,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let original = value.pointee
    value.pointee = original + step
    let plus = loss()
    value.pointee = original - step
    let minus = loss()
    value.pointee = original
    let numeric = (plus - minus) / Double(2 * step)
    let tolerance = absolute + relative * max(abs(numeric), abs(Double(analytic)))
    #expect(abs(numeric - Double(analytic)) <= tolerance, "\(label): numeric \(numeric) vs analytic \(analytic)",
            sourceLocation: sourceLocation)
}

/// Up to `count` evenly spread indices of a tensor of `size` elements, always including the first and last.
func sampleIndices(_ size: Int, count: Int) -> [Int] {
    if size <= count { return Array(0..<size) }
    return (0..<count).map { $0 * (size - 1) / (count - 1) }
}

/// The model of `parameters` with a placeholder vocabulary of the right size.
func model(_ parameters: NRMSParameters) -> NRMSModel {
    try! NRMSModel(parameters: parameters, vocabulary: TinyNRMS.placeholderVocabulary(parameters.configuration.vocabularySize))
}

/// A batch in the padded layout of the golden fixtures (titles `[news × 4]` with 0, histories `[size × 3]` with -1).
struct PaddedBatch {
    var titles: [Int32]
    var histories: [Int32]
    var candidates: [Int32]

    var batch: Batch {
        Batch(paddedTitles: titles, titleLength: 4, paddedHistories: histories, historyLength: 3,
              candidates: candidates, candidateCount: 5)
    }
}

extension NRMSModel {
    /// Forward and backward as a training step of one workspace: the dropout seed is the next number of `rng`
    /// (dropout on only when `training`); ADDS the gradient to `workspace.gradients`.
    func lossAndGradients(_ batch: Batch, workspace: Workspace, training: Bool, rng: inout SplitMix64,
                          lossDivisor: Int? = nil) throws -> Float {
        let seed = rng.next()
        let loss = try forward(batch, workspace: workspace, dropoutSeed: training ? seed : nil, lossDivisor: lossDivisor)
        backward(batch, workspace: workspace)
        return loss
    }

    /// The evaluation-mode loss (no gradients).
    func loss(_ batch: Batch, workspace: Workspace) throws -> Float {
        try forward(batch, workspace: workspace, dropoutSeed: nil)
    }
}
