/// Selects the `k` best of a stream of scored items with a fixed-capacity min-heap.
///
/// "Best" means highest score; equal scores rank the item offered first ahead (a stable order, so
/// results do not depend on heap internals). Offering `n` items costs O(n log k) and no allocation
/// beyond the heap's `k` slots.
public struct TopK<Item> {
    /// How many items are kept.
    public let capacity: Int
    // Min-heap on (score, -sequence): the root is the worst kept item.
    private var heap: [(score: Float, sequence: Int, item: Item)] = []
    private var offered = 0

    /// An empty selection that keeps at most `capacity` items (`capacity` ≥ 0).
    public init(capacity: Int) {
        precondition(capacity >= 0, "TopK capacity must not be negative")
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    /// How many items are currently kept (≤ `capacity`).
    public var count: Int { heap.count }

    /// The lowest kept score once the heap is full, else `-infinity`: items scoring below it are rejected.
    public var threshold: Float { heap.count == capacity && capacity > 0 ? heap[0].score : -.infinity }

    /// Offers one item. NaN scores rank below every number.
    public mutating func offer(_ item: Item, score: Float) {
        let score = score.isNaN ? -.infinity : score
        let sequence = offered
        offered += 1
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append((score, sequence, item))
            siftUp(heap.count - 1)
        } else if Self.worse(heap[0].score, heap[0].sequence, than: score, sequence) {
            heap[0] = (score, sequence, item)
            siftDown(0)
        }
    }

    /// The kept items, best first.
    public func sorted() -> [(item: Item, score: Float)] {
        heap.sorted { Self.worse($1.score, $1.sequence, than: $0.score, $0.sequence) }
            .map { ($0.item, $0.score) }
    }

    /// Whether (a, sa) ranks below (b, sb): lower score, or equal score and offered later.
    @inline(__always)
    private static func worse(_ a: Float, _ sa: Int, than b: Float, _ sb: Int) -> Bool {
        a < b || (a == b && sa > sb)
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.worse(heap[child].score, heap[child].sequence, than: heap[parent].score, heap[parent].sequence)
            else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < heap.count,
               Self.worse(heap[left].score, heap[left].sequence, than: heap[worst].score, heap[worst].sequence) {
                worst = left
            }
            if right < heap.count,
               Self.worse(heap[right].score, heap[right].sequence, than: heap[worst].score, heap[worst].sequence) {
                worst = right
            }
            guard worst != parent else { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
