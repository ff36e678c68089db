/// A hash table whose entries never move: each key gets a numbered slot in fixed-size chunks,
/// found through a small index from the key's hash to its slot. A `Dictionary` rehashes and moves
/// every entry when it grows; with ~50,000 SIP transactions (three strings in each key, a state
/// machine in each value) one growth stalled the SIP loop for 10-50 ms (measured: 33 ms for
/// 49,152 entries of 256 bytes). Here growing moves only the index's integers (~2 ms at that size)
/// and a new chunk is added without touching the others. A slot number stays valid while its key
/// is in the table, so other structures can refer to an entry by slot (`LoopTimers`' heap).
///
/// Free slots are handed out lowest first, so after a burst the live entries gather in the low
/// chunks and the empty chunks at the end are given back (one spare kept), and everything is
/// given back when the table empties. Inlinable, so each user gets code specialised for its types.
public struct SlotTable<Key: Hashable, Value> {
    @usableFromInline struct Slot {
        @usableFromInline var key: Key?
        @usableFromInline var value: Value?
        /// The next slot whose key has the same hash (-1: none).
        @usableFromInline var next: Int32
        @inlinable init() {
            key = nil
            value = nil
            next = -1
        }
    }

    @usableFromInline static var chunkShift: Int { 10 }
    @usableFromInline static var chunkSize: Int { 1 << chunkShift }

    /// Key hash -> the first slot of the keys with that hash.
    @usableFromInline var heads: [Int: Int32]
    @usableFromInline var chunks: [ContiguousArray<Slot>] = []
    /// Live entries per chunk.
    @usableFromInline var live: [Int] = []
    /// Free slots below `chunks.count * chunkSize`, lowest first.
    @usableFromInline var free = BinaryHeap<Int32>()
    @usableFromInline let minimumCapacity: Int
    @usableFromInline var liveCount = 0
    @inlinable public var count: Int { liveCount }

    /// `minimumCapacity`: keys the index holds without growing (it keeps that much when emptied).
    @inlinable public init(minimumCapacity: Int = 0) {
        self.minimumCapacity = minimumCapacity
        heads = Dictionary(minimumCapacity: minimumCapacity)
    }

    @inlinable public var isEmpty: Bool { count == 0 }

    /// Slots held (live and free).
    @inlinable public var capacity: Int { chunks.count << Self.chunkShift }

    /// The slot holding `key`, nil when it is not in the table.
    @inlinable public func slot(of key: Key) -> Int? {
        guard var s = heads[key.hashValue] else { return nil }
        while s >= 0 {
            let c = Int(s) >> Self.chunkShift, i = Int(s) & (Self.chunkSize - 1)
            if chunks[c][i].key == key { return Int(s) }
            s = chunks[c][i].next
        }
        return nil
    }

    @inlinable public subscript(key: Key) -> Value? {
        get { slot(of: key).flatMap { value(at: $0) } }
        set {
            if let newValue {
                insert(newValue, for: key)
            } else {
                remove(key)
            }
        }
    }

    /// The key in `slot`, nil when the slot is free or beyond the table.
    @inlinable public func key(at slot: Int) -> Key? {
        guard slot >= 0, slot >> Self.chunkShift < chunks.count else { return nil }
        return chunks[slot >> Self.chunkShift][slot & (Self.chunkSize - 1)].key
    }

    /// The value in `slot`, nil when the slot is free or beyond the table.
    @inlinable public func value(at slot: Int) -> Value? {
        guard slot >= 0, slot >> Self.chunkShift < chunks.count else { return nil }
        return chunks[slot >> Self.chunkShift][slot & (Self.chunkSize - 1)].value
    }

    /// Runs `body` on the value in `slot`, in place (nil when the slot is free).
    @inlinable public mutating func update<R>(at slot: Int, _ body: (inout Value) -> R) -> R? {
        guard slot >= 0, slot >> Self.chunkShift < chunks.count,
              chunks[slot >> Self.chunkShift][slot & (Self.chunkSize - 1)].value != nil else { return nil }
        return body(&chunks[slot >> Self.chunkShift][slot & (Self.chunkSize - 1)].value!)
    }

    /// Sets `key`'s value (its slot is kept when it is already in) and returns its slot.
    @inlinable @discardableResult
    public mutating func insert(_ value: Value, for key: Key) -> Int {
        if let s = slot(of: key) {
            chunks[s >> Self.chunkShift][s & (Self.chunkSize - 1)].value = value
            return s
        }
        if free.isEmpty { addChunk() }
        let s = Int(free.popMin()!)
        let hash = key.hashValue
        let c = s >> Self.chunkShift
        chunks[c][s & (Self.chunkSize - 1)].key = key
        chunks[c][s & (Self.chunkSize - 1)].value = value
        chunks[c][s & (Self.chunkSize - 1)].next = heads[hash] ?? -1
        heads[hash] = Int32(s)
        live[c] += 1
        liveCount += 1
        return s
    }

    /// Removes `key`; returns its value.
    @inlinable @discardableResult
    public mutating func remove(_ key: Key) -> Value? {
        let hash = key.hashValue
        guard var s = heads[hash] else { return nil }
        var previous: Int32 = -1
        while s >= 0 {
            let c = Int(s) >> Self.chunkShift, i = Int(s) & (Self.chunkSize - 1)
            guard chunks[c][i].key == key else {
                previous = s
                s = chunks[c][i].next
                continue
            }
            let next = chunks[c][i].next
            if previous < 0 {
                if next < 0 { heads[hash] = nil } else { heads[hash] = next }
            } else {
                chunks[Int(previous) >> Self.chunkShift][Int(previous) & (Self.chunkSize - 1)].next = next
            }
            let value = chunks[c][i].value
            chunks[c][i] = Slot()
            live[c] -= 1
            liveCount -= 1
            free.insert(s)
            giveBack()
            return value
        }
        return nil
    }

    @inlinable public mutating func removeAll() {
        liveCount = 0
        heads = Dictionary(minimumCapacity: minimumCapacity)
        chunks = []
        live = []
        free = BinaryHeap()
    }

    /// Every key and its slot, in slot order.
    @inlinable public var slots: [(slot: Int, key: Key)] {
        var out: [(slot: Int, key: Key)] = []
        out.reserveCapacity(count)
        for (c, chunk) in chunks.enumerated() where live[c] > 0 {
            for (i, slot) in chunk.enumerated() {
                if let key = slot.key { out.append(((c << Self.chunkShift) | i, key)) }
            }
        }
        return out
    }

    @inlinable mutating func addChunk() {
        let base = chunks.count << Self.chunkShift
        chunks.append(ContiguousArray(repeating: Slot(), count: Self.chunkSize))
        live.append(0)
        for s in base..<(base + Self.chunkSize) { free.insert(Int32(s)) }
    }

    /// An empty table gives everything back; otherwise empty chunks at the end go, keeping one.
    @inlinable mutating func giveBack() {
        if count == 0 {
            if chunks.count > 1 || heads.capacity > 2 * Swift.max(minimumCapacity, 1024) { removeAll() }
            return
        }
        var drop = 0
        while drop + 2 <= chunks.count, live[chunks.count - 1 - drop] == 0, live[chunks.count - 2 - drop] == 0 { drop += 1 }
        guard drop > 0 else { return }
        chunks.removeLast(drop)
        live.removeLast(drop)
        let end = Int32(chunks.count << Self.chunkShift)
        free.filter { $0 < end }
        if heads.count < heads.capacity / 8, heads.capacity > 2 * Swift.max(minimumCapacity, 1024) {
            var fresh = [Int: Int32](minimumCapacity: Swift.max(minimumCapacity, heads.count * 2))
            for (hash, slot) in heads { fresh[hash] = slot }
            heads = fresh
        }
    }
}

extension SlotTable: Sendable where Key: Sendable, Value: Sendable {}
extension SlotTable.Slot: Sendable where Key: Sendable, Value: Sendable {}
