import Foundation
import Testing
@testable import Bench

/// The tick bench in quick mode: both the engine's timer path (CallCenter core + NIO
/// `scheduleTask(deadline:)`) and the bare timerfd loop fire every call's ticks. Behaviour only,
/// no timing thresholds (HOUSE_STYLE).
@Suite struct TickBenchTests {
    @Test func quickModeFiresEveryTickOnBothPaths() throws {
        let bench = TickBench.quick
        let result = try bench.run()
        let point = try #require(result.points.first)
        #expect(point.calls == 100)
        // 100 calls with phases spread over 0.2 s, 1 s run: call i ticks floor((1 - phase) / 0.2) times.
        let schedule = TickSchedule(calls: 100, tickNanos: 200_000_000, runNanos: 1_000_000_000, warmupTicks: 1)
        #expect(schedule.expectedFires == 401)
        for path in [point.engine, point.bare] {
            #expect(path.expectedFires == schedule.expectedFires)
            #expect(path.maxFireCountError <= 1)
            #expect(path.earlyFires == 0)
            // The first tick of each call is the warm-up; the rest are recorded.
            #expect(path.lateness.count > 0 && path.lateness.count < UInt64(path.fires))
            #expect(path.lateness.p50Micros <= path.lateness.p99Micros)
            #expect(path.lateness.p99Micros <= path.lateness.maxMicros)
        }
        // Nobody takes the calls: they all still wait, ticking, at the end.
        #expect(point.engineWaitingAtEnd == 100)
        #expect(result.textTable().contains("engine"))
        let json = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(TickBenchResult.self, from: json) == result)
    }

    @Test func expectedFiresFollowTheAbsoluteSchedule() {
        let s = TickSchedule(calls: 4, tickNanos: 100, runNanos: 250, warmupTicks: 0)
        // Phases 0, 25, 50, 75: deadlines 100, 200 | 125, 225 | 150, 250 | 175 (275 is past the end).
        #expect((0..<4).map { s.expectedFires($0) } == [2, 2, 2, 1])
        #expect(s.maxCountError([2, 1, 2, 2]) == 1)
    }

    @Test func rejectsOptionsItCannotRun() {
        #expect(throws: TickBench.Failure.self) { try TickBench(sizes: []).run() }
        #expect(throws: TickBench.Failure.self) { try TickBench(tickLength: .microseconds(10)).run() }
    }
}
