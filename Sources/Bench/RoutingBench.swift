import CallCenter

/// Routing latency bench: p50/p99/p99.9/max per routing decision of the `CallCenter` core over a
/// grid of call-center shapes (the target: 10,000 agents, 200 skills, 10,000 waiting
/// calls), each beside a bare dispatch reference timed the same way.
///
/// Not a test: it asserts nothing about speed (HOUSE_STYLE "a benchmark is not a test").
public struct RoutingBench: Sendable {
    public var grid: [RoutingGridPoint]
    /// Timed decisions per kind per grid point.
    public var decisionsPerKind: Int
    /// Untimed decisions run first at each point (caches, heaps' steady state).
    public var warmupDecisions: Int
    public var seed: UInt64

    public init(
        grid: [RoutingGridPoint] = RoutingGridPoint.defaultGrid, decisionsPerKind: Int = 50_000,
        warmupDecisions: Int = 2_000, seed: UInt64 = 1
    ) {
        self.grid = grid
        self.decisionsPerKind = max(1, decisionsPerKind)
        self.warmupDecisions = max(0, warmupDecisions)
        self.seed = seed
    }

    /// The full default grid, 50,000 decisions per kind per point: about 20 s in release mode on
    /// 2 shared cores (most of it setup and the untimed recycling events).
    public static let standard = RoutingBench()

    /// Two small points and few decisions: well under 2 s even in debug builds; for tests.
    public static let quick = RoutingBench(
        grid: RoutingGridPoint.quickGrid, decisionsPerKind: 300, warmupDecisions: 50)

    /// Runs every grid point in order. `progress` gets one line per finished point.
    public func run(progress: (String) -> Void = { _ in }) throws -> RoutingBenchResult {
        let started = monotonicNanos()
        let overhead = BareDispatchReference.clockOverhead(samples: 20_000)
        var points: [RoutingPointResult] = []
        for (i, point) in grid.enumerated() {
            let pointSeed = seed &+ UInt64(i) &* 0x1000
            var arrival = try RoutingScenario(point: point, seed: pointSeed)
            let a = arrival.measureCallArrival(decisions: decisionsPerKind, warmup: warmupDecisions)
            var available = try RoutingScenario(point: point, seed: pointSeed)
            let b = available.measureAgentAvailable(decisions: decisionsPerKind, warmup: warmupDecisions)
            let bare = BareDispatchReference(agents: point.agents, waitingCalls: point.waitingCalls)
                .measure(decisions: decisionsPerKind, warmup: warmupDecisions, seed: pointSeed)
            let result = RoutingPointResult(
                point: point, callArrival: a.0, agentAvailable: b.0, bareReference: bare,
                missedRings: a.misses + b.misses, waitingDuringAgentAvailable: available.core.waitingCallCount)
            points.append(result)
            progress(result.line)
        }
        return RoutingBenchResult(
            decisionsPerKind: decisionsPerKind, warmupDecisions: warmupDecisions, seed: seed,
            clockOverhead: overhead, points: points, growth: RoutingGrowth.fit(points),
            elapsedSeconds: Double(monotonicNanos() &- started) / 1e9)
    }
}
