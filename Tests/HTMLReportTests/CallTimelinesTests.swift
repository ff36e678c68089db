import Testing
@testable import HTMLReport

/// A hand-computed example. Queue intervals (offer ..< answer or end): A [0,2) B [1,5) C [3,6)
/// D [4,11) E [7,8). Talk intervals: A [2,10) B [5,8) D [11,15) E [8,9).
@Suite struct CallTimelinesTests {
    static let calls = [
        CallTimeline(offeredAt: 0, answeredAt: 2, endedAt: 10, outcome: "answered", agent: "a1"),
        CallTimeline(offeredAt: 1, answeredAt: 5, endedAt: 8, outcome: "answered", agent: "a2"),
        CallTimeline(offeredAt: 3, answeredAt: nil, endedAt: 6, outcome: "abandoned"),
        CallTimeline(offeredAt: 4, answeredAt: 11, endedAt: 15, outcome: "answered", agent: "a1"),
        CallTimeline(offeredAt: 7, answeredAt: 8, endedAt: 9, outcome: "answered", agent: "a2"),
    ]

    @Test func queueLength() {
        let s = CallTimelines.queueLength(Self.calls, step: 2)
        #expect(s.points.map(\.x) == [0, 2, 4, 6, 8, 10, 12, 14])
        #expect(s.points.map(\.y) == [1, 1, 3, 1, 1, 1, 0, 0])
    }

    @Test func busyAgents() {
        let s = CallTimelines.busyAgents(Self.calls, step: 2)
        #expect(s.points.map(\.x) == [0, 2, 4, 6, 8, 10, 12, 14])
        #expect(s.points.map(\.y) == [0, 1, 1, 2, 2, 0, 1, 1])
        let none = CallTimelines.busyAgents([CallTimeline(offeredAt: 0, endedAt: 4)], step: 2)
        #expect(none.points.map(\.y) == [0, 0, 0])
    }

    @Test func serviceLevelPerInterval() {
        let s = CallTimelines.serviceLevel(Self.calls, interval: 5, within: 3)
        #expect(s.points.map(\.x) == [0, 5])
        #expect(s.points.map(\.y) == [0.25, 1])
        let gap = CallTimelines.serviceLevel([CallTimeline(offeredAt: 1, answeredAt: 2),
                                              CallTimeline(offeredAt: 21)], interval: 10, within: 5)
        #expect(gap.points.map(\.x) == [0, 20] && gap.points.map(\.y) == [1, 0])
    }

    @Test func occupancyPerAgent() {
        let occ = CallTimelines.occupancy(Self.calls, span: 15)
        #expect(occ.map(\.agent) == ["a1", "a2"])
        #expect(abs(occ[0].busyFraction - 12.0 / 15) < 1e-12)
        #expect(abs(occ[1].busyFraction - 4.0 / 15) < 1e-12)
        let open = CallTimelines.occupancy([CallTimeline(offeredAt: 0, answeredAt: 5, agent: "agent-10"),
                                            CallTimeline(offeredAt: 0, answeredAt: -5, endedAt: 5, agent: "agent-2")],
                                           span: 10)
        #expect(open.map(\.agent) == ["agent-2", "agent-10"])
        #expect(open.map(\.busyFraction) == [0.5, 0.5])
        #expect(CallTimelines.occupancy(Self.calls, span: 0).isEmpty)
    }

    @Test func waitsAndOutcomes() {
        #expect(CallTimelines.waitTimes(Self.calls) == [2, 4, 7, 1])
        let outcomes = CallTimelines.outcomes(Self.calls)
        #expect(outcomes.map(\.outcome) == ["answered", "abandoned"] && outcomes.map(\.count) == [4, 1])
    }

    @Test func emptyInputs() {
        #expect(CallTimelines.queueLength([], step: 1).points.isEmpty)
        #expect(CallTimelines.busyAgents([], step: 1).points.isEmpty)
        #expect(CallTimelines.serviceLevel([], interval: 1, within: 1).points.isEmpty)
        #expect(CallTimelines.queueLength(Self.calls, step: 0).points.isEmpty)
    }
}
