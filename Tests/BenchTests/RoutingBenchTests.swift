import Foundation
import Testing
@testable import Bench

/// Behaviour only: the bench runs, every decision rings, counts add up. No timing thresholds
/// (HOUSE_STYLE: a benchmark is not a test).
@Suite struct RoutingBenchTests {
    @Test func quickModeRunsAndCountsEveryDecision() throws {
        let bench = RoutingBench.quick
        let result = try bench.run()
        #expect(result.points.count == RoutingGridPoint.quickGrid.count)
        for p in result.points {
            #expect(p.missedRings == 0)
            #expect(p.callArrival.count == UInt64(bench.decisionsPerKind))
            #expect(p.agentAvailable.count == UInt64(bench.decisionsPerKind))
            #expect(p.bareReference.count == UInt64(bench.decisionsPerKind))
            #expect(p.waitingDuringAgentAvailable == p.point.waitingCalls)
            for s in [p.callArrival, p.agentAvailable] {
                #expect(s.p50Nanos > 0 && s.p50Nanos <= s.p99Nanos && s.p99Nanos <= s.p999Nanos)
                #expect(s.p999Nanos <= s.maxNanos && s.decisionsPerSecond > 0)
            }
        }
        #expect(result.growth.count == 2)
        #expect(result.growth.allSatisfy { $0.growthRatio > 0 && abs($0.logarithmicRatio - 1.5) < 1e-9 })
        #expect(result.textTable().contains("agent-available"))
        let json = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(RoutingBenchResult.self, from: json) == result)
    }

    @Test func gridPointsClampQueuesToSkills() {
        #expect(RoutingGridPoint(agents: 10, skills: 5, waitingCalls: 3, queues: 50).queues == 5)
        #expect(RoutingGridPoint.defaultGrid.count == 12)
        #expect(RoutingGridPoint.defaultGrid.contains(RoutingGridPoint(agents: 10_000, skills: 200, waitingCalls: 10_000)))
    }
}
