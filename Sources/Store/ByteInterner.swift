import Basics

/// Interns byte strings (news and user ids) as dense Int32 indices, in order of first appearance: an open-addressing
/// table over one byte arena, so a lookup hashes and compares bytes without creating a `String`.
struct ByteInterner {
    /// One slot of the table: the key's first 8 bytes, and (hash tag << 40 | min(length, 255) << 32 | index + 1),
    /// 0 when empty. Keys of at most 8 bytes (news and user ids) are compared in the slot alone.
    private struct Slot {
        var prefix: UInt64 = 0
        var meta: UInt64 = 0
    }

    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Power-of-two capacity, at most half full.
    private var slots = [Slot](repeating: Slot(), count: 1 << 12)

    var count: Int { starts.count - 1 }

    /// The index of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer) -> Int32 {
        var hasher = FNV1a64()
        hasher.combine(key)
        let hash = hasher.value
        let prefix = Self.prefix(key)
        let identity = (hash >> 40) << 8 | UInt64(min(key.count, 255))
        let mask = slots.count - 1
        var slot = Self.slot(of: hash, mask: mask)
        let found: Int32? = slots.withUnsafeBufferPointer { table in
            while true {
                let entry = table[slot]
                if entry.meta == 0 { return nil }
                if entry.meta >> 32 == identity && entry.prefix == prefix {
                    let index = Int(truncatingIfNeeded: entry.meta & 0xffff_ffff) - 1
                    if key.count <= 8 || equal(index, key) { return Int32(index) }
                }
                slot = (slot + 1) & mask
            }
        }
        if let found { return found }
        let index = count
        bytes.append(contentsOf: key)
        starts.append(bytes.count)
        hashes.append(hash)
        slots[slot] = Slot(prefix: prefix, meta: identity << 32 | UInt64(index + 1))
        if count * 2 > slots.count { grow() }
        return Int32(index)
    }

    /// The index of the UTF-8 bytes of `key`, adding it when new.
    mutating func intern(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The interned keys of the indices `range` as strings, in index order.
    func strings(_ range: Range<Int>) -> [String] {
        range.map { String(decoding: bytes[starts[$0] ..< starts[$0 + 1]], as: UTF8.self) }
    }

    /// A slot for `hash`: its bits mixed (FNV-1a's low bits alone cluster for short keys), masked.
    private static func slot(of hash: UInt64, mask: Int) -> Int {
        let mixed = (hash ^ (hash >> 31)) &* SplitMix64.golden
        return Int(truncatingIfNeeded: mixed >> 20) & mask
    }

    /// The first 8 bytes of `key` (zero-padded) as one integer.
    private static func prefix(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for offset in 0 ..< min(key.count, 8) { value |= UInt64(key[offset]) << (8 * UInt64(offset)) }
        return value
    }

    /// Whether the interned key `index` has the bytes of `key`.
    private func equal(_ index: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let start = starts[index]
        guard starts[index + 1] - start == key.count else { return false }
        return bytes.withUnsafeBufferPointer { arena in
            var offset = 0
            while offset < key.count {
                if arena[start + offset] != key[offset] { return false }
                offset += 1
            }
            return true
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: slots.count * 2)
        let mask = slots.count - 1
        for entry in old where entry.meta != 0 {
            let index = Int(truncatingIfNeeded: entry.meta & 0xffff_ffff) - 1
            var slot = Self.slot(of: hashes[index], mask: mask)
            while slots[slot].meta != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
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
