import Distributed
import Foundation

/// Resuming a run over several processes: rank 0 finds the latest checkpoint of the run directory and sends its
/// files to every other rank, which loads them from a private copy. So only rank 0 needs the run directory (the
/// machines need not share a file system), and a run can resume on any number of processes.
struct CheckpointTransfer {
    let group: ProcessGroup
    let directory: CheckpointDirectory

    /// Loads the latest checkpoint into `model` on every rank and returns its state; nil when the run directory
    /// has no checkpoint yet.
    /// - Throws: `TrainingDataError` when a checkpoint exists but `resume` is false (on rank 0; the job ends).
    func latest(resume: Bool, model: some TrainableModel) throws -> TrainingState? {
        if group.size == 1 {
            guard let checkpoint = try latestOnLeader(resume: resume) else { return nil }
            try model.load(from: checkpoint)
            return try CheckpointDirectory.state(of: checkpoint)
        }
        let files = try group.rank == 0 ? latestOnLeader(resume: resume).map(Self.files(of:)) ?? [] : []
        let received = try Self.decode(try group.broadcast(Self.encode(files), root: 0))
        guard !received.isEmpty else { return nil }
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("newsrec-resume-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        for (name, bytes) in received { try Data(bytes).write(to: copy.appendingPathComponent(name)) }
        try model.load(from: copy)
        return try CheckpointDirectory.state(of: copy)
    }

    private func latestOnLeader(resume: Bool) throws -> URL? {
        guard let latest = try directory.latest() else { return nil }
        guard resume else {
            throw TrainingDataError(source: directory.url.path,
                                    expected: "no checkpoint (one exists: use --resume, or another directory)")
        }
        return latest
    }

    /// Every regular file of a checkpoint directory, by name.
    static func files(of checkpoint: URL) throws -> [(String, [UInt8])] {
        try FileManager.default.contentsOfDirectory(atPath: checkpoint.path).sorted().map { name in
            (name, Array(try Data(contentsOf: checkpoint.appendingPathComponent(name))))
        }
    }

    /// `UInt64 count`, then per file `UInt64 name length, name, UInt64 size, bytes` (little-endian).
    static func encode(_ files: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = []
        func append(_ value: Int) { withUnsafeBytes(of: UInt64(value).littleEndian) { bytes.append(contentsOf: $0) } }
        append(files.count)
        for (name, contents) in files {
            append(name.utf8.count)
            bytes.append(contentsOf: name.utf8)
            append(contents.count)
            bytes.append(contentsOf: contents)
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [(String, [UInt8])] {
        var offset = 0
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, offset + count <= bytes.count else {
                throw TrainingDataError(source: "checkpoint from rank 0", expected: "a complete transfer")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func number() throws -> Int {
            Int(try take(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        }
        return try (0..<number()).map { _ in
            let name = String(decoding: try take(try number()), as: UTF8.self)
            return (name, Array(try take(try number())))
        }
    }
}
