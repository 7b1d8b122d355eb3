import Testing
@testable import Distributed

@Suite("Gradient payload")
struct GradientPayloadTests {
    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    @Test("encode/decode round trip keeps every bit, −0.0 included, and the announced size")
    func roundTrip() throws {
        for payload in smallShards(6) + [try GradientPayload(dense: [], width: 0),
                                         try GradientPayload(dense: [-0.0, .leastNonzeroMagnitude, -.infinity], width: 5)] {
            let bytes = payload.encoded()
            #expect(bytes.count == payload.encodedByteCount)
            let decoded = try GradientPayload(decoding: bytes)
            #expect(bits(decoded.dense) == bits(payload.dense))
            #expect(decoded.rowIDs == payload.rowIDs && decoded.width == payload.width)
            #expect(bits(decoded.rowValues) == bits(payload.rowValues))
            #expect(decoded.fingerprint == payload.fingerprint)
        }
    }

    @Test("decoding rejects truncated, padded and unsorted payloads")
    func malformed() throws {
        let bytes = try GradientPayload(dense: [1, 2], rowIDs: [3, 7], rowValues: [1, 2, 3, 4], width: 2).encoded()
        #expect(throws: DistributedError.self) { try GradientPayload(decoding: Array(bytes.dropLast())) }
        #expect(throws: DistributedError.self) { try GradientPayload(decoding: bytes + [0]) }
        var swapped = bytes
        swapped.swapAt(24 + 8, 24 + 12)   // the two row ids (low bytes): 7, 3
        #expect(throws: DistributedError.self) { try GradientPayload(decoding: swapped) }
        #expect(throws: DistributedError.self) { try GradientPayload(decoding: [255, 255, 255, 255, 255, 255, 255, 127]) }
    }

    @Test("the initializer checks row order and the row value count")
    func validation() {
        #expect(throws: DistributedError.self) { try GradientPayload(dense: [], rowIDs: [2, 2], rowValues: [0, 0], width: 1) }
        #expect(throws: DistributedError.self) { try GradientPayload(dense: [], rowIDs: [-1], rowValues: [0], width: 1) }
        #expect(throws: DistributedError.self) { try GradientPayload(dense: [], rowIDs: [1], rowValues: [0], width: 2) }
    }

    @Test("combine: dense added, shared rows added left + right, other rows copied bit for bit")
    func combine() throws {
        var left = try GradientPayload(dense: [1, -0.0], rowIDs: [1, 4], rowValues: [-0.0, 1, 2, 3], width: 2)
        let right = try GradientPayload(dense: [0.5, 0.0], rowIDs: [0, 4, 9], rowValues: [5, -0.0, 10, 20, -0.0, -0.0], width: 2)
        right.combine(into: &left)
        #expect(bits(left.dense) == bits([1.5, 0.0]))
        #expect(left.rowIDs == [0, 1, 4, 9])
        #expect(bits(left.rowValues) == bits([5, -0.0, -0.0, 1, 12, 23, -0.0, -0.0]))
        var empty = try GradientPayload(dense: [0, 0], width: 2)
        right.combine(into: &empty)
        #expect(empty.rowIDs == right.rowIDs && bits(empty.rowValues) == bits(right.rowValues))
        var noWidth = try GradientPayload(dense: [1], rowIDs: [1, 3], width: 0)
        try GradientPayload(dense: [2], rowIDs: [2, 3], width: 0).combine(into: &noWidth)
        #expect(noWidth.rowIDs == [1, 2, 3] && noWidth.rowValues.isEmpty && noWidth.dense == [3])
    }
}
