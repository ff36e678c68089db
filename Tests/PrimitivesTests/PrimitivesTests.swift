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
