import Testing
@testable import Ranking
import TensorMath

@Suite("Top-k selection")
struct TopKTests {
    @Test("keeps the k highest scores, best first")
    func keepsHighest() {
        var top = TopK<String>(capacity: 3)
        for (item, score) in [("a", 0.5), ("b", 2.0), ("c", -1.0), ("d", 1.5), ("e", 0.7), ("f", 3.0)] {
            top.offer(item, score: Float(score))
        }
        let result = top.sorted()
        #expect(result.map(\.item) == ["f", "b", "d"])
        #expect(result.map(\.score) == [3.0, 2.0, 1.5])
    }

    @Test("equal scores keep the earlier item first, and the earlier item survives the cut")
    func stableTies() {
        var top = TopK<Int>(capacity: 2)
        for item in 0 ..< 5 { top.offer(item, score: 1) }
        #expect(top.sorted().map(\.item) == [0, 1])
    }

    @Test("matches a full sort on random data", arguments: [1, 7, 50, 200])
    func matchesSort(k: Int) {
        var rng = SystemRandomNumberGenerator()
        let scores = (0 ..< 150).map { _ in Float(Int.random(in: -20 ... 20, using: &rng)) / 4 }
        var top = TopK<Int>(capacity: k)
        for (index, score) in scores.enumerated() { top.offer(index, score: score) }
        let expected = scores.enumerated()
            .sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
            .prefix(k).map(\.offset)
        #expect(top.sorted().map(\.item) == Array(expected))
    }

    @Test("NaN ranks last and capacity zero keeps nothing")
    func edgeCases() {
        var top = TopK<Int>(capacity: 2)
        top.offer(0, score: .nan)
        top.offer(1, score: -5)
        top.offer(2, score: .nan)
        #expect(top.sorted().map(\.item) == [1, 0])
        var none = TopK<Int>(capacity: 0)
        none.offer(1, score: 1)
        #expect(none.sorted().isEmpty)
    }
}

@Suite("Vector matrix scoring")
struct VectorMatrixTests {
    @Test("dot matches a Double reference for lengths around the SIMD widths", arguments: [1, 15, 16, 17, 31, 32, 33, 64, 100])
    func dotMatchesReference(length: Int) {
        let a = (0 ..< length).map { Float(($0 * 37) % 11) / 7 - 0.6 }
        let b = (0 ..< length).map { Float(($0 * 13) % 5) / 3 - 0.4 }
        let reference = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(VectorMath.dot(a, b)) - reference) < 1e-5)
    }

    @Test("scores rows against a query and selects the top rows")
    func scoresAndTop() {
        var matrix = VectorMatrix(dimension: 3)
        matrix.append(row: [1, 0, 0])
        matrix.append(row: [0, 2, 0])
        matrix.append(row: [1, 1, 1])
        matrix.append(row: [-1, 0, 5])
        let query: [Float] = [2, 1, 0.5]
        #expect(matrix.scores(against: query) == [2, 2, 3.5, 0.5])
        let top = matrix.top(3, against: query)
        #expect(top.map(\.row) == [2, 0, 1])
        #expect(top.map(\.score) == [3.5, 2, 2])
        #expect(matrix.row(3) == [-1, 0, 5])
    }

    @Test("scoring split over threads gives the same bits and the same top rows")
    func threadedScoring() {
        let dimension = 24, rows = 20_000
        let storage = (0 ..< rows * dimension).map { Float(($0 * 7919) % 1013) / 1013 - 0.5 }
        let matrix = VectorMatrix(dimension: dimension, storage: storage)
        let query = (0 ..< dimension).map { Float($0 % 5) - 2 }
        let one = matrix.scores(against: query, threads: 1)
        #expect(matrix.scores(against: query, threads: 2).map(\.bitPattern) == one.map(\.bitPattern))
        let top = matrix.top(5, against: query, threads: 2)
        let expected = one.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
        #expect(top.map(\.row) == expected.prefix(5).map(\.offset))
    }
}
