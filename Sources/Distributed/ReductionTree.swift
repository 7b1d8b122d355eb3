/// A node of the reduction tree: the shard range `lower..<upper` it sums.
///
/// In a given tree a range names at most one node, so the range is the node's id (it is also what the byte
/// format carries).
public struct TreeNode: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// First shard of the node.
    public let lower: Int
    /// One past the last shard of the node.
    public let upper: Int

    /// The node summing `range`; whether it is a node of a given tree is `ReductionTree.contains`.
    public init(_ range: Range<Int>) {
        lower = range.lowerBound
        upper = range.upperBound
    }

    /// The shards this node sums.
    public var shards: Range<Int> { lower..<upper }
    /// Whether the node is a single shard.
    public var isLeaf: Bool { upper - lower == 1 }

    /// Orders nodes by first shard, then by size (a parent before its left child).
    public static func < (a: TreeNode, b: TreeNode) -> Bool {
        (a.lower, b.upper) < (b.lower, a.upper)
    }

    /// `[lower, upper)`.
    public var description: String { "[\(lower), \(upper))" }
}

/// The fixed binary tree over shards `0..<S` that defines the global gradient.
///
/// **Definition.** The root is `[0, S)`. A node `[lo, hi)` with `hi − lo ≥ 2` has the children
/// `[lo, mid)` and `[mid, hi)` with `mid = lo + (hi − lo) / 2` (the left child gets the smaller half when the size
/// is odd). Leaves are single shards. A node's value is `left + right` (`GradientPayload.combine(into:)`), so the
/// global gradient depends on `S` and the shard gradients only. When `S` is a power of two this is the dyadic tree.
///
/// A contiguous shard range decomposes into the maximal tree nodes inside it (at most 2 per level, so
/// `O(log S)`); a rank reduces those nodes locally and only they cross the network.
public struct ReductionTree: Sendable {
    /// Number of shards `S` (≥ 1).
    public let shardCount: Int

    /// The tree over `shardCount` shards; throws unless `1 ≤ shardCount ≤ UInt32.max`.
    public init(shardCount: Int) throws(DistributedError) {
        guard shardCount >= 1, shardCount <= Int(UInt32.max) else {
            throw .invalidArgument("shard count must be in 1...\(UInt32.max), found \(shardCount)")
        }
        self.shardCount = shardCount
    }

    /// `[0, S)`.
    public var root: TreeNode { TreeNode(0..<shardCount) }

    /// The two children of `node`, or nil for a leaf.
    public func children(of node: TreeNode) -> (left: TreeNode, right: TreeNode)? {
        guard !node.isLeaf else { return nil }
        let mid = node.lower + (node.upper - node.lower) / 2
        return (TreeNode(node.lower..<mid), TreeNode(mid..<node.upper))
    }

    /// Whether `node` is a node of this tree.
    public func contains(_ node: TreeNode) -> Bool {
        var current = root
        while current != node {
            guard let (left, right) = children(of: current) else { return false }
            if node.upper <= left.upper { current = left } else if node.lower >= right.lower { current = right } else { return false }
        }
        return true
    }

    /// Number of edges from the root to the deepest leaf: `⌈log2 S⌉`.
    public var height: Int {
        var levels = 0, size = shardCount
        while size > 1 { size -= size / 2; levels += 1 }
        return levels
    }

    /// The maximal tree nodes lying entirely inside `range`, in shard order. They partition `range`.
    public func maximalNodes(in range: Range<Int>) -> [TreeNode] {
        let clamped = range.clamped(to: 0..<shardCount)
        var nodes: [TreeNode] = []
        func visit(_ node: TreeNode) {
            if node.lower >= clamped.lowerBound && node.upper <= clamped.upperBound {
                nodes.append(node)
            } else if node.lower < clamped.upperBound && clamped.lowerBound < node.upper, let (l, r) = children(of: node) {
                visit(l)
                visit(r)
            }
        }
        if !clamped.isEmpty { visit(root) }
        return nodes
    }

    /// Computes the value of `node` from `values`, which must hold values for tree nodes that partition `node`'s
    /// shards (for example its leaves). Used values are removed from `values` (moved, not copied). Children are
    /// combined left + right in tree order, so the result is independent of which nodes were given.
    public func assemble(_ node: TreeNode, from values: inout [TreeNode: GradientPayload]) throws(DistributedError) -> GradientPayload {
        if let value = values.removeValue(forKey: node) { return value }
        guard let (leftNode, rightNode) = children(of: node) else {
            throw .incompleteCover("no value covers shard \(node.lower)")
        }
        var left = try assemble(leftNode, from: &values)
        let right = try assemble(rightNode, from: &values)
        guard right.hasSameShape(as: left) else {
            throw .invalidArgument("\(leftNode) has dense length \(left.dense.count) and row width \(left.width), "
                + "\(rightNode) has \(right.dense.count) and \(right.width)")
        }
        right.combine(into: &left)
        return left
    }

    /// Reduces `values` (tree nodes with disjoint shards, e.g. the leaves of one rank or the nodes of its
    /// threads) to the maximal nodes of the shards they cover. Throws if two given nodes overlap or one is not
    /// a node of this tree.
    public func coarsen(_ values: consuming [TreeNode: GradientPayload]) throws(DistributedError) -> [TreeNode: GradientPayload] {
        let given = values.keys.sorted()
        var runs: [Range<Int>] = []
        for node in given {
            guard contains(node) else { throw .invalidArgument("\(node) is not a node of the tree over \(shardCount) shards") }
            if let last = runs.last, node.lower < last.upperBound {
                throw .incompleteCover("\(node) overlaps another given node")
            } else if let last = runs.last, node.lower == last.upperBound {
                runs[runs.count - 1] = last.lowerBound..<node.upper
            } else {
                runs.append(node.shards)
            }
        }
        var result: [TreeNode: GradientPayload] = [:]
        for run in runs {
            for node in maximalNodes(in: run) { result[node] = try assemble(node, from: &values) }
        }
        return result
    }

    /// Reduces the gradients of the consecutive shards `range` (`shards[i]` is shard `range.lowerBound + i`) to
    /// the maximal nodes of `range`.
    public func reduce(shards: consuming [GradientPayload], range: Range<Int>) throws(DistributedError) -> [TreeNode: GradientPayload] {
        guard shards.count == range.count, range.lowerBound >= 0, range.upperBound <= shardCount else {
            throw .invalidArgument("\(shards.count) shard gradients for shards \(range) of \(shardCount)")
        }
        var leaves: [TreeNode: GradientPayload] = [:]
        leaves.reserveCapacity(range.count)
        for (offset, shard) in shards.enumerated() {
            leaves[TreeNode(range.lowerBound + offset..<range.lowerBound + offset + 1)] = shard
        }
        shards = []
        return try coarsen(leaves)
    }
}
