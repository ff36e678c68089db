import CallCenter
import Workload

/// Runs a `VirtualScenario` against the real routing core (`CallCenter`) in simulated time:
/// a discrete-event simulation whose event queue holds arrivals, agents' answers, hang-ups,
/// patience expiry, logins and breaks, and the core's own timers. The core's actions are
/// carried out exactly as the SIP engine would, only without SIP. Deterministic for a seed.
public struct VirtualTimeRunner: Sendable {
    public let scenario: VirtualScenario

    public init(scenario: VirtualScenario) throws(VirtualScenarioError) {
        try scenario.validate()
        self.scenario = scenario
    }

    /// Simulates the whole scenario: arrivals until `duration` (or each stream's `calls`),
    /// then until every call has ended or `drainLimit` has passed.
    public func run() throws(VirtualScenarioError) -> VirtualRunResult {
        let core: CallCenter
        do {
            core = try CallCenter(config: scenario.routing)
        } catch {
            throw .routing(error)
        }
        var simulation = Simulation(scenario: scenario, core: core)
        simulation.run()
        return simulation.result()
    }

    /// Convenience: validate and run.
    public static func run(_ scenario: VirtualScenario) throws(VirtualScenarioError) -> VirtualRunResult {
        try VirtualTimeRunner(scenario: scenario).run()
    }
}

/// Seconds to the simulation's nanosecond clock.
@inline(__always)
func nanoseconds(_ seconds: Double) -> Int64 {
    Int64((seconds * 1e9).rounded())
}

@inline(__always)
func nanoseconds(_ d: Duration) -> Int64 {
    let (s, atto) = d.components
    return s &* 1_000_000_000 &+ atto / 1_000_000_000
}

@inline(__always)
func seconds(_ ns: Int64) -> Double {
    Double(ns) / 1e9
}
