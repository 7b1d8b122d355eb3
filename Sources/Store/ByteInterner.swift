import Basics
import Foundation

/// Interns byte strings (news and user ids) as dense Int32 indices, in order of first appearance: an open-addressing
/// table over one byte arena, so a lookup hashes and compares bytes without creating a `String`.
struct ByteInterner {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slot → index + 1 (0 = empty); the capacity is a power of two, at most half full.
    private var slots = [Int32](repeating: 0, count: 1 << 12)

    var count: Int { starts.count - 1 }

    /// The index of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer) -> Int32 {
        var hasher = FNV1a64()
        hasher.combine(key)
        let hash = hasher.value
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot] - 1)
            if hashes[index] == hash && matches(index, key) { return Int32(index) }
            slot = (slot + 1) & mask
        }
        let index = count
        bytes.append(contentsOf: key)
        starts.append(bytes.count)
        hashes.append(hash)
        slots[slot] = Int32(index + 1)
        if count * 2 > slots.count { grow() }
        return Int32(index)
    }

    /// The index of the UTF-8 bytes of `key`, adding it when new.
    mutating func intern(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The interned keys as strings, by index.
    func strings() -> [String] {
        (0 ..< count).map { String(decoding: bytes[starts[$0] ..< starts[$0 + 1]], as: UTF8.self) }
    }

    private func matches(_ index: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let start = starts[index], length = starts[index + 1] - start
        guard length == key.count else { return false }
        return bytes.withUnsafeBytes { stored in
            length == 0 || memcmp(stored.baseAddress! + start, key.baseAddress!, length) == 0
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for index in 0 ..< count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index + 1)
        }
    }

    /// Calls `body` with every space-separated word of `text` (empty words skipped).
    static func forEachWord(_ text: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        for end in 0 ... text.count where end == text.count || text[end] == UInt8(ascii: " ") {
            if end > start { body(UnsafeRawBufferPointer(rebasing: text[start ..< end])) }
            start = end + 1
        }
    }
}
