extension Dictionary {
    /// Gives back the storage of a table that held far more entries than it does now: a Swift
    /// dictionary keeps its capacity after removals, so the transaction table sized by a burst's
    /// peak (tens of thousands of transactions, each stored inline) stayed that large, idle.
    /// Rebuilt at twice its size when below an eighth of a large capacity, so the O(count) copy
    /// happens only after the table has shrunk eightfold (amortised O(1) per removal).
    @inlinable public mutating func shrinkIfSparse(largerThan minimum: Int = 1024) {
        guard capacity > minimum, count < capacity / 8 else { return }
        var fresh = Dictionary(minimumCapacity: count * 2)
        for (k, v) in self { fresh[k] = v }
        self = fresh
    }
}
