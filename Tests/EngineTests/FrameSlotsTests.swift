import Testing
@testable import Media

/// The relay's frame clock in slots: played legs spread evenly over the 20 ms period, each slot
/// due once per period, and a late thread owing each slot the frames its turns missed.
@Suite struct FrameSlotsTests {
    @Test func legsSpreadEvenlyAndALoneStreamStartsAtTheNextSubTick() {
        var slots = FrameSlots()
        #expect(slots.join() == 0, "nothing plays: the next sub-tick's slot")
        for _ in 0..<1999 { _ = slots.join() }
        #expect(slots.load == [Int](repeating: 200, count: FrameSlots.count))
        slots.leave(3)
        #expect(slots.join() == 3, "the emptiest slot is filled first")
    }

    @Test func eachSlotIsDueOncePerPeriodAndALateThreadCatchesUp() {
        var slots = FrameSlots()
        // On time: one slot per sub-tick, in turn, one frame each.
        let onTime = (0..<FrameSlots.count).flatMap { _ in slots.advance(1) }
        #expect(onTime.map(\.slot) == Array(0..<FrameSlots.count) && onTime.allSatisfy { $0.frames == 1 })
        // Three sub-ticks late: the three slots that came due, in order, a frame each.
        #expect(slots.advance(3).map { [$0.slot, $0.frames] } == [[0, 1], [1, 1], [2, 1]])
        // A whole period and two sub-ticks late: every slot due; slots 3 and 4 came round twice.
        let late = slots.advance(FrameSlots.count + 2)
        #expect(late.map(\.slot) == [3, 4, 5, 6, 7, 8, 9, 0, 1, 2])
        #expect(late.map(\.frames) == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1])
        // A stall of a second: at most three frames each (the timeline jumps).
        #expect(slots.advance(500).allSatisfy { $0.frames == FrameSlots.catchUp })
        #expect(slots.next == (5 + 500) % FrameSlots.count)
    }
}
