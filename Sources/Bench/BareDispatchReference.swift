import Primitives
/// The least work any dispatcher must do per decision, timed with the same probe: find the agent
/// by login in a `Dictionary` and pop the next waiting call off an array (REFERENCE §4: every
/// measure beside a bare reference). Routing p50 divided by this p50 says how much the core's
/// skill matching, queue weighting, bookkeeping and action output cost over the minimum.
struct BareDispatchReference {
    let agents: Int
    let waitingCalls: Int

    func measure(decisions: Int, warmup: Int, seed: UInt64) -> LatencySummary {
        var random = SplitMix(seed: seed)
        let logins = (0..<agents).map { "agent\($0)" }
        var agentIndex: [String: Int] = [:]
        for (i, login) in logins.enumerated() { agentIndex[login] = i }
        var waiting = (0..<max(1, waitingCalls)).map { "call\($0)" }
        var busy = [String?](repeating: nil, count: agents)
        var recorder = LatencyRecorder()
        for i in 0..<(warmup + decisions) {
            let login = logins[Int.random(in: 0..<agents, using: &random)]
            let start = monotonicNanos()
            let a = agentIndex[login]!
            let call = waiting.removeLast()
            busy[a] = call
            let elapsed = monotonicNanos() &- start
            if i >= warmup { recorder.record(elapsed) }
            waiting.append(busy[a]!)  // recycle untimed, like the routing loops
        }
        return recorder.summary
    }

    /// The probe's own cost: two clock reads around nothing.
    static func clockOverhead(samples: Int) -> LatencySummary {
        var recorder = LatencyRecorder()
        for _ in 0..<samples {
            let start = monotonicNanos()
            recorder.record(monotonicNanos() &- start)
        }
        return recorder.summary
    }
}
