import CallCenter
import Foundation
import HTMLReport
import VirtualTime

/// `ccsim run --virtual-time`: the same scenario on the same routing core (`CallCenter`) in
/// simulated time, no sockets. Results come back in the same shape as a real run, so reports
/// and `ccsim compare` read both.
public enum VirtualRun {
    /// The scenario as the virtual-time simulator takes it (routing, agents, customers, seed).
    public static func scenario(from s: Scenario, calls: Int? = nil) -> VirtualScenario {
        let groups = s.agentGroups.map { g in
            VirtualAgentGroup(
                logins: g.logins, answerDelay: g.answerDelay, talkTime: g.talkTime,
                rejectProbability: g.rejectProbability, noAnswerProbability: g.noAnswerProbability, loginAt: g.loginAt, logoutAt: g.logoutAt,
                breaks: g.breaks.map { VirtualBreak(at: $0.at, duration: $0.duration, reason: $0.reason) }, wrapUp: g.wrapUp)
        }
        let streams = s.customerStreams.map { c in
            var v = VirtualCustomerStream(queue: c.queue, calls: calls ?? c.calls, arrival: c.arrival, holdTime: c.holdTime,
                                          patience: c.patience, client: c.client)
            v.stop = c.stop
            return v
        }
        var routing = s.engine.routing
        routing.seed = s.seed
        var v = VirtualScenario(routing: routing, agentGroups: groups, customerStreams: streams,
                                duration: s.maxDuration, warmUp: s.warmUp, seed: s.seed,
                                reportInterval: max(1, min(900, s.maxDuration / 40)), serviceLevelThresholds: [20])
        // A run of the scenario ends at its duration as the real run does; a planner's run of
        // `calls` calls delivers them all.
        v.endsAtDuration = calls == nil
        return v
    }

    /// Runs it and converts every call into the observation a real run records.
    public static func run(_ s: Scenario) throws -> (virtual: VirtualRunResult, result: SimulationRun.Result) {
        let started = Date()
        let v = try VirtualTimeRunner.run(scenario(from: s))
        let calls = v.calls.filter(\.counted).map { c in
            var o = CallObservation(callID: c.id, queue: c.queue, caller: c.id, offeredAt: c.arrival)
            o.answeredAt = c.answer
            o.endedAt = c.end
            o.agent = c.agent
            o.finalQueue = c.finalQueue
            o.outcome = switch c.outcome {
            case .answered: .answered
            case .abandoned: .abandoned
            case .unfinished: .unfinished
            case .failed, .voicemail, .rejected: .failed
            }
            return o
        }
        var result = SimulationRun.Result(
            scenario: s, calls: calls, records: nil, startedAt: started.timeIntervalSince1970,
            elapsed: Date().timeIntervalSince(started), captureStats: nil)
        result.virtualTime = true
        return (v, result)
    }

    /// Time-average agents per state per report interval, one series per state (for the HTML report).
    public static func agentStateSeries(_ v: VirtualRunResult) -> [Series] {
        let states: [(String, KeyPath<AgentStateAverages, Double>)] = [
            ("on call", \.onCall), ("ringing", \.ringing), ("wrap-up", \.wrapUp), ("available", \.available),
            ("released", \.released), ("offline", \.offline),
        ]
        return states.map { name, key in
            Series(name: name, points: v.intervals.map { (x: ($0.start + $0.end) / 2, y: $0.agents[keyPath: key]) })
        }
    }
}
