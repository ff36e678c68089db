import Testing
@testable import EngineCore

/// Overload control in the pure core (`OverloadControl`): when shedding starts and ends, the
/// admission rate, the socket-backlog gates and the call rate cap, fed measurements and times.
struct OverloadControlTests {
    @Test func aTransactionLimitShedsTooAndTheAdmissionRateFollowsTheBacklog() {
        var limits = OverloadControl(limits: .init(maxLoopLag: .milliseconds(50), maxTransactions: 100))
        var t: Duration = .seconds(1)
        // 40 calls in the last report's 100 ms: shedding starts at half that rate, 200/s.
        for _ in 0..<40 { _ = limits.admit(now: t) }
        for _ in 0..<2 { t += .milliseconds(100); _ = limits.report(.init(loopLag: .zero, transactions: 101), now: t) }
        for _ in 0..<40 { _ = limits.admit(now: t) }
        t += .milliseconds(100)
        let start = limits.report(.init(loopLag: .zero, transactions: 101), now: t)
        #expect(start?.hasPrefix("overload: admitting 200 new calls/s") == true)
        // 100 ms at 1,000 offered calls/s: about 20 admitted (200/s), the rest refused.
        var admitted = 0
        for i in 1...100 where limits.admit(now: t + .milliseconds(i)) { admitted += 1 }
        #expect((15...25).contains(admitted), "\(admitted)")
        // A backlog (above 80 % of the limit) that shrinks: the rate is held; one that grows: cut.
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 90), now: t)
        #expect(abs(limits.rate - 200) < 0.001)
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 95), now: t)
        #expect(abs(limits.rate - 170) < 0.001)
        // No backlog: raised while calls are offered faster than half the rate...
        for i in 1...100 { _ = limits.admit(now: t + .milliseconds(i)) }
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 50), now: t)
        #expect(abs(limits.rate - (170 * 1.05 + 5)) < 0.001)
        #expect(limits.shedding)
        // ...held when it does not limit them (raising it then only grew the logged number:
        // "admitting 535351 new calls/s" after 20 s of a gate doing the shedding).
        for i in 1...5 { _ = limits.admit(now: t + .milliseconds(20 * i)) }
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 50), now: t)
        #expect(abs(limits.rate - (170 * 1.05 + 5)) < 0.001)
    }

    @Test func theCallRateCapAdmitsItsRateWhetherOverloadedOrNotAndSaysSoOnceASecond() {
        var limits = OverloadControl(limits: .init(maxCallsPerSecond: 100))
        var t: Duration = .seconds(1)
        // 1,000 calls offered over a second: the burst (100 ms of the rate) and then 100/s.
        var admitted = 0
        for i in 1...1000 where limits.admit(now: t + .milliseconds(i)) { admitted += 1 }
        #expect((105...112).contains(admitted), "\(admitted)")
        #expect(!limits.shedding, "the cap is not overload shedding")
        t += .seconds(1)
        let line = limits.report(.init(loopLag: .zero, transactions: 10), now: t)
        #expect(line == "call rate cap: \(1000 - admitted) new calls refused with 503 over max_calls_per_second 100", "\(line ?? "nil")")
        #expect(limits.report(.init(loopLag: .zero, transactions: 10), now: t + .milliseconds(100)) == nil, "nothing refused since")
        // No cap: every call is admitted while not shedding.
        var open = OverloadControl(limits: .init())
        #expect((1...1000).allSatisfy { open.admit(now: t + .microseconds($0)) })
    }

    @Test func aGrowingSocketBacklogShedsAtOnceAndAdmittedCallsNeverWaitBehindALongQueue() {
        var limits = OverloadControl(limits: .init(admitQueuedBytes: 64 * 1024, admitWait: .zero))
        var t: Duration = .seconds(1)
        _ = limits.report(.init(loopLag: .zero, transactions: 10), now: t)
        // A stall being caught up: the backlog is long but shrinks, so nothing is refused.
        for kb in [900, 700, 500, 300, 100, 40] {
            t += .milliseconds(30)
            let line = limits.backlog(kb * 1024, now: t)
            #expect(line == nil)
            let admitted = limits.admit(now: t)
            #expect(admitted)
        }
        #expect(!limits.shedding)
        // A loop busy elsewhere for 67 ms (no reads meanwhile) lets the backlog grow: not overload.
        t += .milliseconds(10)
        _ = limits.backlog(266 * 1024, now: t)
        t += .milliseconds(67)
        #expect(limits.backlog(696 * 1024, now: t) == nil)
        t += .milliseconds(5)
        _ = limits.backlog(100 * 1024, now: t)
        #expect(!limits.shedding)
        _ = limits.backlog(0, now: t)
        // A backlog above the gate that grows over 50 ms while the loop reads batch after batch:
        // offered faster than the engine serves.
        var started: String?
        for kb in stride(from: 70, through: 130, by: 5) {
            t += .milliseconds(5)
            if let line = limits.backlog(kb * 1024, now: t) { started = line }
            _ = limits.admit(now: t)
        }
        #expect(limits.shedding)
        #expect(started?.contains("120 KB waiting in the SIP socket, up from 70 KB 50 ms before, reading all along") == true, "\(started ?? "nil")")
        _ = limits.report(.init(loopLag: .zero, transactions: 10, queuedBytes: 130 * 1024), now: t)
        // Shedding: behind a long queue every new call is refused, whatever the admission rate.
        t += .milliseconds(100)
        var admitted = 0
        for i in 1...50 where limits.admit(now: t + .milliseconds(i)) { admitted += 1 }
        #expect(admitted == 0)
        // Once the queue is short again, every new call is admitted: the gate alone sheds (a rate
        // from the calls admitted before the onset would be 10/s after a burst of REGISTERs).
        t += .milliseconds(100)
        _ = limits.backlog(10 * 1024, now: t)
        for i in 1...50 where limits.admit(now: t + .milliseconds(i)) { admitted += 1 }
        #expect(admitted == 50)
        // A backlog that grows anyway (past half of max_queued_kb) brings the AIMD rate back, cut
        // from what was admitted meanwhile: 50 in the 250 ms since the last report.
        t += .milliseconds(50)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, queuedBytes: 300 * 1024), now: t)
        #expect(abs(limits.rate - 50 / 0.25 * 0.85) < 1, "\(limits.rate)")
        // The fast onset can be switched off (onset_queued_kb: 0): then a backlog starts nothing.
        var off = OverloadControl(limits: .init(onsetQueuedBytes: 0))
        for (i, kb) in [100, 200, 400, 800].enumerated() { _ = off.backlog(kb * 1024, now: .milliseconds(40 * i)) }
        #expect(!off.shedding)
        // The onset and the gate are apart: a backlog between the two starts nothing.
        var between = OverloadControl(limits: .init(admitQueuedBytes: 8 * 1024, onsetQueuedBytes: 64 * 1024))
        for (i, kb) in [20, 30, 40, 60].enumerated() { _ = between.backlog(kb * 1024, now: .milliseconds(20 * i)) }
        #expect(!between.shedding)
    }

    /// While shedding, an INVITE read from a socket that has not been empty for longer than
    /// `admitWait` may have waited that long (the end of a stall: a short queue behind it, a long
    /// one ahead of it), so it is refused; once the socket was seen empty, calls are admitted.
    @Test func whileSheddingAnInviteFromASocketNotEmptyForLongIsRefused() {
        var limits = OverloadControl(limits: .init(admitQueuedBytes: 64 * 1024, admitWait: .milliseconds(10)))
        var t: Duration = .seconds(1)
        _ = limits.backlog(0, now: t)
        for kb in stride(from: 70, through: 130, by: 5) {
            t += .milliseconds(5)
            _ = limits.backlog(kb * 1024, now: t)
        }
        #expect(limits.shedding)
        // The stall is caught up: 10 KB behind, but the socket was last empty 65 ms ago.
        t += .milliseconds(20)
        _ = limits.backlog(10 * 1024, now: t)
        let stallEnd = limits.admit(now: t)
        #expect(!stallEnd)
        // The driver saw it empty 4 ms ago (a batch that ended on an empty socket): admitted.
        t += .milliseconds(20)
        _ = limits.backlog(8 * 1024, emptyAt: t - .milliseconds(4), now: t)
        let fresh = limits.admit(now: t)
        #expect(fresh)
        // Still not empty 12 ms after that: refused again; empty now: admitted.
        let standing = limits.admit(now: t + .milliseconds(8))
        #expect(!standing)
        _ = limits.backlog(0, now: t + .milliseconds(9))
        let empty = limits.admit(now: t + .milliseconds(9))
        #expect(empty)
        // Not shedding, nothing is refused for it.
        var calm = OverloadControl(limits: .init(admitWait: .milliseconds(10)))
        _ = calm.backlog(10 * 1024, now: .seconds(5))
        let calmAdmitted = calm.admit(now: .seconds(5))
        #expect(calmAdmitted)
    }

    @Test func aSaturatedSIPThreadShedsAtOnceAndTheAdmissionRateAimsAtTheTargetOccupancy() {
        var limits = OverloadControl(limits: .init(targetOccupancy: 0.6))
        var t: Duration = .seconds(1)
        // Busy but not saturated, with no backlog: nothing is shed, whatever the aim.
        for _ in 0..<5 {
            for _ in 0..<100 { _ = limits.admit(now: t) }
            t += .milliseconds(100)
            #expect(limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.85), now: t) == nil)
        }
        #expect(!limits.shedding)
        // One saturated report: shedding at once, by the queue gate alone (no rate yet).
        for _ in 0..<200 { _ = limits.admit(now: t) }
        t += .milliseconds(100)
        let start = limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.95), now: t)
        #expect(start?.contains("SIP thread saturated") == true, "\(start ?? "nil")")
        #expect(start?.contains("SIP thread 95 % busy") == true)
        #expect(limits.shedding && limits.rate.isInfinite)
        // Still over the aim: a rate in proportion to what was admitted (1,000/s x 0.6 / 0.75).
        let all = (0..<100).filter { _ in limits.admit(now: t) }.count
        #expect(all == 100, "the gate alone admits from an empty socket")
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.75), now: t)
        #expect(abs(limits.rate - 800) < 0.001, "\(limits.rate)")
        // Far over it (in proportion: 800/s x 0.6 / 1.0 = 480/s): cut by at most 30 % of the rate
        // in effect in one report (one measurement is noisy).
        var admitted = 0
        for i in 1...200 where limits.admit(now: t + .microseconds(i * 500)) { admitted += 1 }
        #expect((75...85).contains(admitted), "\(admitted) admitted at 800/s in 100 ms")
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 1.0), now: t)
        #expect(abs(limits.rate - 800 * 0.7) < 0.001, "\(limits.rate)")
        // Below the aim with no backlog: raised as before.
        let before = limits.rate
        for i in 1...100 { _ = limits.admit(now: t + .milliseconds(i)) }
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.5), now: t)
        #expect(abs(limits.rate - (before * 1.05 + 5)) < 0.001, "\(limits.rate)")
    }

    @Test func sheddingEndsWhenEveryCallWouldFitEvenIfTheOrdinaryLoadNeedsMoreThanTheAim() {
        // A host whose ordinary load, 100 calls per report, keeps the thread 70 % busy (0.7 % a
        // call), over a 60 % aim: after a burst the aim refuses some of it...
        func ordinaryLoad(_ limits: inout OverloadControl, at t: inout Duration, calls: Int = 100, perCall: Double = 0.007) -> (refused: Int, line: String?) {
            var admitted = 0
            for i in 1...calls where limits.admit(now: t + .microseconds(i * 100_000 / calls)) { admitted += 1 }
            t += .milliseconds(100)
            return (calls - admitted, limits.report(.init(loopLag: .zero, transactions: 10, occupancy: perCall * Double(admitted)), now: t))
        }
        var limits = OverloadControl(limits: .init(targetOccupancy: 0.6))
        var t: Duration = .seconds(1)
        for _ in 0..<3 { _ = ordinaryLoad(&limits, at: &t) }
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.99), now: t)
        #expect(limits.shedding)
        var refused = 0, ended: String?
        for _ in 0..<30 where limits.shedding {
            let r = ordinaryLoad(&limits, at: &t)
            refused += r.refused
            ended = r.line ?? ended
        }
        // ...but every call would fit below saturation (70 %), so shedding ends anyway.
        #expect(refused > 0, "the aim never refused anything: this does not test the end rule")
        #expect(!limits.shedding, "the ordinary load was shed for ever")
        #expect(ended?.hasPrefix("overload over") == true, "\(ended ?? "nil")")
        // Without an aim the old rule holds: shedding ends only when nothing is refused.
        var noAim = OverloadControl(limits: .init(maxTransactions: 100, targetOccupancy: 0))
        for _ in 0..<3 {
            for _ in 0..<100 { _ = noAim.admit(now: t) }
            t += .milliseconds(100)
            _ = noAim.report(.init(loopLag: .zero, transactions: 101, occupancy: 0.5), now: t)
        }
        #expect(noAim.shedding)
        for _ in 0..<30 { _ = ordinaryLoad(&noAim, at: &t, calls: 1000, perCall: 0.0001) }
        #expect(noAim.shedding, "calls refused every report, so no report was calm")
        // At 3x the load the estimate stays over 90 %: shedding goes on.
        var busy = OverloadControl(limits: .init(targetOccupancy: 0.6))
        t += .milliseconds(100)
        _ = busy.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.99), now: t)
        for _ in 0..<30 { _ = ordinaryLoad(&busy, at: &t, calls: 300, perCall: 0.006) }
        #expect(busy.shedding)
    }

    @Test func aReportInWhichTheQueueGateRefusedMostCallsCutsTheRateByAtMost30Percent() {
        var limits = OverloadControl(limits: .init(admitQueuedBytes: 8 * 1024, admitWait: .zero, targetOccupancy: 0.6))
        var t: Duration = .seconds(1)
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.95), now: t)
        for _ in 0..<100 { _ = limits.admit(now: t) }
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, occupancy: 0.75), now: t)
        #expect(abs(limits.rate - 800) < 0.001, "\(limits.rate)")
        // A backlog behind every INVITE of the next report: the gate refuses all 100, the thread
        // busy catching up. The rate in effect was 800/s: 560/s at most 30 % less, not 10/s.
        _ = limits.backlog(64 * 1024, now: t)
        let admitted = (1...100).filter { limits.admit(now: t + .milliseconds($0)) }.count
        #expect(admitted == 0)
        t += .milliseconds(100)
        _ = limits.report(.init(loopLag: .zero, transactions: 10, queuedBytes: 64 * 1024, occupancy: 1.0), now: t)
        #expect(abs(limits.rate - 560) < 0.001, "\(limits.rate)")
    }
}
