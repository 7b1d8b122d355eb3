import Testing
@testable import Distributed

@Suite("Reduction tree and shard plan")
struct ReductionTreeTests {
    @Test("children split at lo + (hi − lo) / 2; S = 8 is the dyadic tree")
    func shape() throws {
        let tree = try ReductionTree(shardCount: 8)
        #expect(tree.children(of: tree.root)! == (TreeNode(0..<4), TreeNode(4..<8)))
        #expect(tree.children(of: TreeNode(4..<6))! == (TreeNode(4..<5), TreeNode(5..<6)))
        #expect(tree.children(of: TreeNode(3..<4)) == nil)
        #expect(tree.height == 3)
        let odd = try ReductionTree(shardCount: 7)
        #expect(odd.children(of: odd.root)! == (TreeNode(0..<3), TreeNode(3..<7)))
        #expect(odd.height == 3)
        #expect(odd.contains(TreeNode(1..<3)) && !odd.contains(TreeNode(0..<2)) && !odd.contains(TreeNode(6..<8)))
        #expect(throws: DistributedError.self) { try ReductionTree(shardCount: 0) }
    }

    @Test("every range of every S ≤ 40 decomposes into maximal tree nodes that cover it once, at most 2 per level")
    func decomposition() throws {
        for shardCount in 1...40 {
            let tree = try ReductionTree(shardCount: shardCount)
            for lower in 0..<shardCount {
                for upper in lower + 1...shardCount {
                    let nodes = tree.maximalNodes(in: lower..<upper)
                    #expect(nodes.flatMap { Array($0.shards) } == Array(lower..<upper))   // in order, exactly once
                    #expect(nodes.allSatisfy(tree.contains))
                    #expect(nodes.count <= max(1, 2 * tree.height))
                    for node in nodes where node != tree.root {
                        #expect(!isInside(parent(of: node, in: tree), lower..<upper), "\(node) is not maximal")
                    }
                }
            }
        }
    }

    @Test("aligned blocks are one node each; ranks beyond the shard count get nothing")
    func planNodes() throws {
        for ranks in [1, 2, 4, 8] {
            let plan = try ShardPlan(shardCount: 8, rankCount: ranks)
            for rank in 0..<ranks { #expect(try plan.nodes(ofRank: rank).count == 1) }
        }
        let three = try ShardPlan(shardCount: 8, rankCount: 3)
        #expect((0..<3).map(three.shards(ofRank:)) == [0..<2, 2..<5, 5..<8])
        #expect(try three.nodes(ofRank: 1) == [TreeNode(2..<4), TreeNode(4..<5)])
        let many = try ShardPlan(shardCount: 3, rankCount: 5)
        #expect((0..<5).map(many.shards(ofRank:)).map(\.count) == [0, 1, 0, 1, 1])
        #expect(try many.nodes(ofRank: 0).isEmpty)
    }

    @Test("blocks of ranks and of threads inside a rank are contiguous, in order and even")
    func blocks() throws {
        for shardCount in 1...20 {
            for ranks in 1...9 {
                let plan = try ShardPlan(shardCount: shardCount, rankCount: ranks)
                let rankBlocks = (0..<ranks).map(plan.shards(ofRank:))
                #expect(rankBlocks.flatMap { Array($0) } == Array(0..<shardCount))
                #expect(Set(rankBlocks.map(\.count)).count <= 2 && rankBlocks.map(\.count).max()! - rankBlocks.map(\.count).min()! <= 1)
                for threads in 1...3 {
                    let threadBlocks = (0..<threads).map { plan.shards(ofThread: $0, of: threads, inRank: ranks - 1) }
                    #expect(threadBlocks.flatMap { Array($0) } == Array(rankBlocks[ranks - 1]))
                }
            }
        }
    }

    @Test("coarsening rejects overlapping nodes and nodes that are not in the tree")
    func coarsenErrors() throws {
        let tree = try ReductionTree(shardCount: 8)
        let value = try GradientPayload(dense: [1], width: 0)
        #expect(throws: DistributedError.self) { try tree.coarsen([TreeNode(0..<4): value, TreeNode(2..<4): value]) }
        #expect(throws: DistributedError.self) { try tree.coarsen([TreeNode(1..<3): value]) }
        let merged = try tree.coarsen([TreeNode(0..<2): value, TreeNode(2..<3): value, TreeNode(3..<4): value, TreeNode(5..<6): value])
        #expect(Set(merged.keys) == [TreeNode(0..<4), TreeNode(5..<6)])
        #expect(merged[TreeNode(0..<4)]!.dense == [3])
    }

    private func parent(of node: TreeNode, in tree: ReductionTree) -> TreeNode {
        var current = tree.root
        while let (left, right) = tree.children(of: current), left != node, right != node {
            current = node.upper <= left.upper ? left : right
        }
        return current
    }

    private func isInside(_ node: TreeNode, _ range: Range<Int>) -> Bool {
        node.lower >= range.lowerBound && node.upper <= range.upperBound
    }
}
