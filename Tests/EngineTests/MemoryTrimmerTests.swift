import Testing
@testable import Engine

struct MemoryTrimmerTests {
    @Test func trimsOnceTheLoadHasFallenToATenthOfItsPeakThenWhileTheBurstEnds() {
        var t = MemoryTrimmer()
        let steps: [(Int, Int, Bool)] = [
            (400, 20, false),     // small: never worth it
            (60_000, 21, false),  // a burst
            (40_000, 22, false),  // still above a tenth
            (6_000, 23, true),
            (100, 25, false),     // within 10 s of the last trim
            (10, 34, true),       // follow-up: not grown since
            (40, 44, false),      // grown: the follow-ups stop
            (5, 54, false),       // and do not come back (the peak since, 40, is small)
            (50_000, 60, false),  // the next burst
            (300, 75, true),      // over
            (300, 85, true),      // follow-ups while it stays down...
            (300, 95, true),
            (310, 105, true),     // (a tenth up is steady)
            (500, 115, false),    // ...until it grows
        ]
        for (transactions, at, trims) in steps {
            let trimmed = t.observe(transactions: transactions, now: .seconds(at))
            #expect(trimmed == trims, "\(transactions) transactions at \(at) s")
        }
    }
}
