import Basics

/// Checks applied to whole lines of the MIND text files: no NUL byte, well-formed UTF-8; and a hash of a line.
enum TextCheck {
    /// The offset of the first byte of `bytes` that is a NUL byte or starts an ill-formed UTF-8 sequence
    /// (nil when the text is well-formed UTF-8 without NUL), and a 64-bit hash of all bytes (0 when there is a
    /// problem). One pass over 16-byte blocks; an ASCII block is checked as two 64-bit words.
    ///
    /// The hash folds every 16 bytes with their offset through a 128-bit product and sums the results: enough to
    /// tell apart the contents of two lines in a constant amount of memory per line, not for input built on purpose
    /// to collide.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (problem: Int?, hash: UInt64) {
        let count = bytes.count
        var state: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(count)
        guard let base = bytes.baseAddress else { return (nil, state) }
        var checked = 0        // bytes before this offset are known to be well-formed
        var index = 0
        while index + 16 <= count {
            var (hash, flags) = Self.block(base, index)
            if index + 32 <= count {
                // Two blocks per step when there is room: independent, so their products overlap.
                let second = Self.block(base, index + 16)
                hash &+= second.hash
                flags |= second.flags
                index += 32
            } else {
                index += 16
            }
            state &+= hash
            if checked >= index { continue }
            if flags & 0x8080_8080_8080_8080 == 0 {
                checked = index
                continue
            }
            while checked < index {
                let length = sequenceLength(base, checked, count)
                if length == 0 { return (checked, 0) }
                checked += length
            }
        }
        while checked < count {
            let length = sequenceLength(base, checked, count)
            if length == 0 { return (checked, 0) }
            checked += length
        }
        var tail: (low: UInt64, high: UInt64) = (0, 0)
        for offset in 0..<count - index {
            let byte = UInt64(base[index + offset])
            if offset < 8 { tail.low |= byte << (8 * offset) } else { tail.high |= byte << (8 * (offset - 8)) }
        }
        state = fold(tail.low ^ state, tail.high ^ 0xC2B2_AE3D_27D4_EB4F)
        return (nil, fold(state, 0x1656_67B1_9E37_79F9))
    }

    /// The 16 bytes at `offset`: their hash contribution (folded with the offset, so that blocks are summed in
    /// any order), and flags whose high bits are all clear exactly when every byte is 0x01...0x7F.
    @inline(__always)
    private static func block(_ base: UnsafePointer<UInt8>, _ offset: Int) -> (hash: UInt64, flags: UInt64) {
        let raw = UnsafeRawPointer(base)
        let first = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        let second = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
        let hash = fold(first ^ SplitMix64.golden ^ UInt64(offset), second ^ 0xA076_1D64_78BD_642F)
        // A byte is 0x01...0x7F exactly when neither it nor it minus 1 has its high bit set.
        let flags = first | (first &- 0x0101_0101_0101_0101) | second | (second &- 0x0101_0101_0101_0101)
        return (hash, flags)
    }

    /// The length of the well-formed UTF-8 sequence starting at `index` (Unicode table 3-7), or 0 when it is
    /// ill-formed or a NUL byte.
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafePointer<UInt8>, _ index: Int, _ count: Int) -> Int {
        let lead = bytes[index]
        if lead < 0x80 { return lead == 0 ? 0 : 1 }
        func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            index + offset < count && bytes[index + offset] >= low && bytes[index + offset] <= high
        }
        switch lead {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    /// The expectation for a line where `scan` found `offset`, naming the column among `fields`.
    static func expectation(_ bytes: UnsafeBufferPointer<UInt8>, problemAt offset: Int, fields: [Range<Int>],
                            columnNames: [String]) -> String {
        var place = "at byte \(offset + 1) of the line"
        if let column = fields.firstIndex(where: { $0.contains(offset) }) {
            let name = column < columnNames.count ? " (\(columnNames[column]))" : ""
            place = "in column \(column + 1)\(name) at byte \(offset - fields[column].lowerBound + 1) of the column"
        }
        if bytes[offset] == 0 {
            return "text without NUL bytes, found a NUL byte (0x00) \(place)"
        }
        return "valid UTF-8 text, found an invalid byte sequence starting with \(Bytes.describe(bytes[offset])) "
            + place
    }

    @inline(__always)
    private static func fold(_ value: UInt64, _ multiplier: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: multiplier)
        return product.high ^ product.low
    }
}
