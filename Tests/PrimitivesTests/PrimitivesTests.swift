import Testing
import Primitives

@Suite struct PrimitivesTests {
    @Test func binaryHeapPopsInOrderAfterInsertsHeapifyAndFilter() {
        var rng = SplitMix(seed: 3)
        var heap = BinaryHeap<Int>()
        var values: [Int] = []
        for _ in 0..<200 {
            let v = Int(rng.next() % 1000)
            values.append(v)
            heap.insert(v)
        }
        var out: [Int] = []
        while let v = heap.popMin() { out.append(v) }
        #expect(out == values.sorted())

        var built = BinaryHeap(values)
        built.filter { $0 % 2 == 0 }
        out = []
        while let v = built.popMin() { out.append(v) }
        #expect(out == values.filter { $0 % 2 == 0 }.sorted())
    }

    /// splitmix64's published outputs for seed 0 (Vigna's reference `splitmix64.c`).
    @Test func splitMixMatchesTheReference() {
        var g = SplitMix(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
        let u = g.unit()
        #expect(u >= 0 && u < 1)
        var a = SplitMix(seed: 5, stream: 1, purpose: 2), b = SplitMix(seed: 5, stream: 2, purpose: 2)
        #expect(a.next() != b.next())
    }
}

@Suite struct SlotTableTests {
    /// A key whose hash is its value modulo 7: most keys share a hash with others.
    struct Colliding: Hashable {
        var n: Int
        func hash(into hasher: inout Hasher) { hasher.combine(n % 7) }
    }

    /// Random inserts, updates and removals agree with a Dictionary, and a key keeps its slot
    /// for as long as it is in the table, colliding hashes included.
    @Test func agreesWithADictionaryAndKeysKeepTheirSlots() {
        var rng = SplitMix(seed: 11)
        var table = SlotTable<Colliding, Int>()
        var model: [Colliding: Int] = [:]
        var slotOf: [Colliding: Int] = [:]
        for step in 0..<60_000 {
            let key = Colliding(n: Int(rng.next() % 5_000))
            switch rng.next() % 3 {
            case 0, 1:
                let slot = table.insert(step, for: key)
                if let kept = slotOf[key] { #expect(slot == kept) }
                slotOf[key] = slot
                model[key] = step
            default:
                #expect(table.remove(key) == model.removeValue(forKey: key))
                slotOf[key] = nil
            }
            #expect(table.count == model.count)
        }
        for (key, value) in model {
            #expect(table[key] == value)
            let slot = slotOf[key]!
            #expect(table.slot(of: key) == slot)
            #expect(table.key(at: slot) == key && table.value(at: slot) == value)
        }
        #expect(table[Colliding(n: 5_001)] == nil)
        #expect(Set(table.slots.map(\.key)) == Set(model.keys))
    }

    /// After a burst the live entries sit in the lowest slots and the empty chunks go; emptied,
    /// the table gives everything back and a freed slot reads as nil.
    @Test func aBurstIsGivenBack() {
        var table = SlotTable<Int, Int>()
        for k in 0..<50_000 { table.insert(k, for: k) }
        let atPeak = table.capacity
        for k in 100..<50_000 { table.remove(k) }
        #expect(table.count == 100)
        #expect(table.capacity <= 2 * 1024 && atPeak >= 50_000)
        for k in 0..<100 { #expect(table[k] == k) }
        // New keys take the lowest free slots.
        #expect(table.insert(7, for: 60_000) == 100)
        for k in 0..<100 { table.remove(k) }
        table.remove(60_000)
        #expect(table.isEmpty && table.capacity == 0)
        #expect(table.value(at: 5) == nil && table.key(at: 1 << 20) == nil && table.value(at: -1) == nil)
    }
}
