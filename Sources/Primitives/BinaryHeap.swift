/// An array-backed binary min-heap: the package's one heap (routing indexes, the simulator's
/// event queue, the driver's timers, the bench's bare timer loop). Users with stale entries drop
/// them lazily (an entry carries a token or sequence number and is skipped when found stale at
/// the top) and `filter` out the rest now and then. Inlinable, so each user gets code
/// specialised for its element type.
public struct BinaryHeap<Element: Comparable> {
    @usableFromInline var storage: [Element] = []

    @inlinable public init() {}

    @inlinable public init(capacity: Int) { storage.reserveCapacity(capacity) }

    /// Heapifies `elements` in O(n).
    @inlinable public init(_ elements: [Element]) {
        storage = elements
        guard storage.count > 1 else { return }
        for i in stride(from: storage.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }
    @inlinable public var min: Element? { storage.first }
    /// The elements in heap order (not sorted).
    @inlinable public var elements: [Element] { storage }

    @inlinable public mutating func insert(_ element: Element) {
        storage.append(element)
        siftUp(storage.count - 1)
    }

    @inlinable @discardableResult
    public mutating func popMin() -> Element? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        let first = storage[0]
        storage[0] = last
        siftDown(0)
        return first
    }

    /// Keeps only the elements satisfying `keep`, restoring heap order in O(n).
    @inlinable public mutating func filter(_ keep: (Element) -> Bool) {
        storage.removeAll { !keep($0) }  // in place: no second array of the heap's size
        guard storage.count > 1 else { return }
        for i in stride(from: storage.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    @inlinable public mutating func removeAll() { storage = [] }

    /// Gives back the storage of a heap that held far more than it does now (a burst's peak).
    @inlinable public mutating func shrinkIfSparse(largerThan minimum: Int = 4096) {
        guard storage.capacity > minimum, storage.count < storage.capacity / 8 else { return }
        var fresh: [Element] = []
        fresh.reserveCapacity(storage.count * 2)
        fresh.append(contentsOf: storage)
        storage = fresh
    }

    @inlinable mutating func siftUp(_ index: Int) {
        var child = index
        let element = storage[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard element < storage[parent] else { break }
            storage[child] = storage[parent]
            child = parent
        }
        storage[child] = element
    }

    @inlinable mutating func siftDown(_ index: Int) {
        var parent = index
        let count = storage.count
        let element = storage[parent]
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let child = right < count && storage[right] < storage[left] ? right : left
            guard storage[child] < element else { break }
            storage[parent] = storage[child]
            parent = child
        }
        storage[parent] = element
    }
}

extension BinaryHeap: Sendable where Element: Sendable {}
