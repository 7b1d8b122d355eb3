import Foundation

/// The identity of a checkpoint in the store: a 64-bit FNV-1a hash of its files' contents.
///
/// Two checkpoint directories with byte-identical `model.safetensors`, `config.json` and `vocab.txt` get the same
/// id, so their cached vectors are shared; any change to weights, configuration or vocabulary gives a new id and a
/// fresh cache. The hash covers each file's name and length before its bytes, so moving bytes between files
/// changes the id.
public enum ModelFingerprint {
    /// The files of a checkpoint directory that define the model, in hashing order.
    public static let fileNames = ["model.safetensors", "config.json", "vocab.txt"]

    /// The model id of the checkpoint in `directory`: 16 lowercase hex digits.
    ///
    /// - Throws: `RankingError.missingCheckpointFile` when one of `fileNames` is absent or unreadable.
    public static func id(ofCheckpointAt directory: URL) throws -> String {
        var hash = FNV1a64()
        for name in fileNames {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw RankingError.missingCheckpointFile(url.path)
            }
            hash.combine(Array(name.utf8))
            hash.combine(UInt64(data.count))
            data.withUnsafeBytes { hash.combine($0) }
        }
        return hash.hexDigest
    }
}

/// The 64-bit FNV-1a hash (Fowler–Noll–Vo), used for model ids and history versions.
public struct FNV1a64: Sendable {
    /// The hash of everything combined so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    public init() {}

    /// Mixes `bytes` into the hash.
    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes { h = (h ^ UInt64(byte)) &* Self.prime }
        value = h
    }

    /// Mixes `bytes` into the hash.
    public mutating func combine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { combine($0) }
    }

    /// Mixes the 8 little-endian bytes of `number` into the hash.
    public mutating func combine(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { combine($0) }
    }

    /// The hash as 16 lowercase hex digits.
    public var hexDigest: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
