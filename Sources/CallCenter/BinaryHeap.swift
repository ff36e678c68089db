/// A plain array-backed min-heap. Routing indexes use it with lazy deletion: entries carry a
/// token and are dropped when found stale at the top (see `Dispatcher.swift`).
struct BinaryHeap<Element: Comparable>: Sendable where Element: Sendable {
    private(set) var storage: [Element] = []

    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }
    var min: Element? { storage.first }

    init() {}

    init(_ elements: [Element]) {
        storage = elements
        guard storage.count > 1 else { return }
        for i in stride(from: storage.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    mutating func insert(_ element: Element) {
        storage.append(element)
        siftUp(storage.count - 1)
    }

    @discardableResult
    mutating func popMin() -> Element? {
        guard let first = storage.first else { return nil }
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            siftDown(0)
        }
        return first
    }

    /// Keeps only the elements satisfying `keep`, restoring heap order in O(n).
    mutating func filter(_ keep: (Element) -> Bool) {
        self = BinaryHeap(storage.filter(keep))
    }

    private mutating func siftUp(_ index: Int) {
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

    private mutating func siftDown(_ index: Int) {
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
