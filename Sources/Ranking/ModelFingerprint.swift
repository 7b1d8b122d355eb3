import Basics
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
