import CallCenter

/// The two measured decision kinds. Each loop keeps the population constant: whatever a timed
/// decision changes is undone by untimed events before the next one.
extension RoutingScenario {
    /// (a) A call arrives while agents are available: all agents logged in and idle, the grid's
    /// waiting calls parked in a queue nobody serves. Timed: `callArrived` -> `ringAgent`.
    /// Recycled untimed: answer, hang up, end wrap-up, so the agent is available again.
    mutating func measureCallArrival(decisions: Int, warmup: Int) -> (LatencySummary, misses: Int) {
        logInEveryone()
        for _ in 0..<point.waitingCalls {
            _ = send(Self.arrival(newCallID(), queue: Self.parkingQueue))
        }
        var recorder = LatencyRecorder()
        var misses = 0
        for i in 0..<(warmup + decisions) {
            let id = newCallID()
            let event = Self.arrival(id, queue: randomQueue())
            now += .microseconds(100)
            let start = monotonicNanos()
            let actions = core.handle(event, now: now)
            let elapsed = monotonicNanos() &- start
            guard let (_, agent) = Self.ring(in: actions) else {
                misses += 1
                _ = send(.callerHungUp(id))
                continue
            }
            if i >= warmup { recorder.record(elapsed) }
            _ = send(.agentAnswered(id, agent))
            _ = send(.agentHungUp(id))
            _ = send(.wrapUpDone(agent))
        }
        return (recorder.summary, misses)
    }

    /// (b) An agent becomes available while the grid's calls wait: every agent on a call, the
    /// waiting calls spread over the queues. Per decision, untimed: one agent hangs up (wrap-up)
    /// and a new call arrives in one of that agent's queues (so the waiting count stays put and
    /// the agent surely has work). Timed: `wrapUpDone` -> `ringAgent`. Untimed: the agent answers.
    mutating func measureAgentAvailable(decisions: Int, warmup: Int) -> (LatencySummary, misses: Int) {
        logInEveryone()
        var activeCall = [CallID?](repeating: nil, count: logins.count)
        let agentIndex = Dictionary(uniqueKeysWithValues: logins.enumerated().map { ($1, $0) })
        // Make everyone busy: a call in a queue of an available agent always rings someone.
        var pass = true
        while pass {
            pass = false
            for a in logins.indices where activeCall[a] == nil {
                let id = newCallID()
                guard let (_, agent) = Self.ring(in: send(Self.arrival(id, queue: randomQueue(servedBy: a))))
                else { continue }
                _ = send(.agentAnswered(id, agent))
                activeCall[agentIndex[agent]!] = id
                pass = true
            }
        }
        for _ in 0..<point.waitingCalls {
            _ = send(Self.arrival(newCallID(), queue: randomQueue()))
        }
        var recorder = LatencyRecorder()
        var misses = 0
        for i in 0..<(warmup + decisions) {
            let a = Int.random(in: 0..<logins.count, using: &random)
            guard let current = activeCall[a] else { continue }
            _ = send(.agentHungUp(current))
            _ = send(Self.arrival(newCallID(), queue: randomQueue(servedBy: a)))
            now += .microseconds(100)
            let event = CallCenterEvent.wrapUpDone(logins[a])
            let start = monotonicNanos()
            let actions = core.handle(event, now: now)
            let elapsed = monotonicNanos() &- start
            if let (call, agent) = Self.ring(in: actions) {
                if i >= warmup { recorder.record(elapsed) }
                _ = send(.agentAnswered(call, agent))
                activeCall[a] = call
            } else {
                misses += 1
                activeCall[a] = nil
            }
        }
        return (recorder.summary, misses)
    }
}
