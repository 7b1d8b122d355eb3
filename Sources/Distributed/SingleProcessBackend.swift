import Foundation

/// The group of one process: collectives return this process's own data, and MPI is never touched.
final class SingleProcessBackend: ProcessGroupBackend {
    let rank = 0
    let size = 1

    func allgatherv(_ bytes: [UInt8]) throws(DistributedError) -> GatheredBytes {
        GatheredBytes(bytes: bytes, ranges: [0..<bytes.count])
    }

    func broadcast(_ bytes: [UInt8], root: Int) throws(DistributedError) -> [UInt8] { bytes }

    func barrier() throws(DistributedError) {}

    func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("distributed: \(message)\n".utf8))
        exit(1)
    }

    func finalize() throws(DistributedError) {}
}
