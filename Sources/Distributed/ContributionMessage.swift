/// What one rank sends in the gradient exchange: the tree nodes it reduced, self-describing.
///
/// ```
/// UInt32 magic "NRGT" (0x5447_524E), UInt32 version (1), UInt64 S, UInt64 node count K,
/// K × { UInt64 lower, UInt64 upper, GradientPayload bytes (see GradientPayload+Bytes.swift) }
/// ```
/// All little-endian. The receiver checks that `S` matches its own tree and that every node is a node of it.
struct ContributionMessage {
    static let magic: UInt32 = 0x5447_524E
    static let version: UInt32 = 1
    static let headerByteCount = 24
    static let nodeHeaderByteCount = 16

    /// Encodes `nodes` (in shard order) for a tree over `shardCount` shards.
    static func encode(_ nodes: [TreeNode: GradientPayload], shardCount: Int) -> [UInt8] {
        let order = nodes.keys.sorted()
        let count = headerByteCount + order.reduce(0) { $0 + nodeHeaderByteCount + nodes[$1]!.encodedByteCount }
        return ByteWriter.encode(count: count) { writer in
            writer.write(magic)
            writer.write(version)
            writer.write(UInt64(shardCount))
            writer.write(UInt64(order.count))
            for node in order {
                writer.write(UInt64(node.lower))
                writer.write(UInt64(node.upper))
                nodes[node]!.encode(into: &writer)
            }
        }
    }

    /// Decodes the message of `rank` and adds its nodes to `nodes`; a node already present is an error.
    static func decode(_ bytes: ArraySlice<UInt8>, rank: Int, tree: ReductionTree,
                       into nodes: inout [TreeNode: GradientPayload]) throws(DistributedError) -> Int {
        let result = bytes.withUnsafeBytes { raw -> Result<[(TreeNode, GradientPayload)], DistributedError> in
            var reader = ByteReader(raw)
            return Result { () throws(DistributedError) in try readNodes(&reader, rank: rank, tree: tree) }
        }
        let decoded = try result.get()
        for (node, payload) in decoded {
            guard nodes.updateValue(payload, forKey: node) == nil else {
                throw .incompleteCover("rank \(rank) sent \(node), which another rank also sent")
            }
        }
        return decoded.count
    }

    private static func readNodes(_ reader: inout ByteReader, rank: Int,
                                  tree: ReductionTree) throws(DistributedError) -> [(TreeNode, GradientPayload)] {
        let magic = try reader.read(UInt32.self, "magic of rank \(rank)")
        let version = try reader.read(UInt32.self, "version of rank \(rank)")
        guard magic == Self.magic, version == Self.version else {
            throw .malformedPayload("rank \(rank): magic \(magic) version \(version), expected \(Self.magic) version \(Self.version)")
        }
        let shardCount = try reader.readCount("shard count of rank \(rank)")
        guard shardCount == tree.shardCount else {
            throw .invalidArgument("rank \(rank) reduces over \(shardCount) shards, this rank over \(tree.shardCount)")
        }
        let count = try reader.readCount("node count of rank \(rank)")
        guard count <= reader.remaining / nodeHeaderByteCount else {
            throw .malformedPayload("rank \(rank) announces \(count) nodes in \(reader.remaining) bytes")
        }
        var nodes: [(TreeNode, GradientPayload)] = []
        for _ in 0..<count {
            let lower = try reader.readCount("node start of rank \(rank)")
            let upper = try reader.readCount("node end of rank \(rank)")
            guard lower < upper else { throw .malformedPayload("rank \(rank) sent the empty node [\(lower), \(upper))") }
            let node = TreeNode(lower..<upper)
            guard tree.contains(node) else {
                throw .invalidArgument("rank \(rank) sent \(node), not a node of the tree over \(tree.shardCount) shards")
            }
            nodes.append((node, try GradientPayload(reading: &reader)))
        }
        guard reader.remaining == 0 else { throw .malformedPayload("rank \(rank): \(reader.remaining) bytes after the last node") }
        return nodes
    }
}
