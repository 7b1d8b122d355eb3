import Basics

/// Interns byte strings (news and user ids) as dense Int32 indices, in order of first appearance: an open-addressing
/// table over one byte arena, so a lookup hashes and compares bytes without creating a `String`.
struct ByteInterner {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slot → (upper 32 bits of the hash) << 32 | (index + 1); 0 = empty. The capacity is a power of two, at most
    /// half full, so probes are short and a probe compares bytes only when the hash tags agree.
    private var slots = [UInt64](repeating: 0, count: 1 << 12)

    var count: Int { starts.count - 1 }

    /// The index of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer) -> Int32 {
        var hasher = FNV1a64()
        hasher.combine(key)
        let hash = hasher.value
        let tag = hash >> 32
        let mask = slots.count - 1
        var slot = Self.slot(of: hash, mask: mask)
        let found: Int32? = slots.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { arena in
                starts.withUnsafeBufferPointer { starts in
                    while true {
                        let entry = table[slot]
                        if entry == 0 { return nil }
                        if entry >> 32 == tag {
                            let index = Int(truncatingIfNeeded: entry & 0xffff_ffff) - 1
                            if Self.equal(arena, from: starts[index], to: starts[index + 1], key) { return Int32(index) }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if let found { return found }
        let index = count
        bytes.append(contentsOf: key)
        starts.append(bytes.count)
        hashes.append(hash)
        slots[slot] = tag << 32 | UInt64(index + 1)
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

    /// A slot for `hash`: its bits mixed (FNV-1a's low bits alone cluster for short keys), masked.
    private static func slot(of hash: UInt64, mask: Int) -> Int {
        let mixed = (hash ^ (hash >> 31)) &* 0x9e37_79b9_7f4a_7c15
        return Int(truncatingIfNeeded: mixed >> 20) & mask
    }

    /// Whether `arena[start ..< end]` holds the bytes of `key` (ids are short: a plain loop beats a memcmp call).
    private static func equal(_ arena: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                              _ key: UnsafeRawBufferPointer) -> Bool {
        guard end - start == key.count else { return false }
        var offset = 0
        while offset < key.count {
            if arena[start + offset] != key[offset] { return false }
            offset += 1
        }
        return true
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for index in 0 ..< count {
            var slot = Self.slot(of: hashes[index], mask: mask)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = (hashes[index] >> 32) << 32 | UInt64(index + 1)
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
