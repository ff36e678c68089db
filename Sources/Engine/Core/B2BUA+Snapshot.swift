import CallCenter

extension B2BUA {
    /// The call center at `now`, for operators (`EngineSnapshot`). O(calls + agents × queues).
    public func snapshot(now: Duration) -> EngineSnapshot {
        var calls: [EngineSnapshot.Call] = []
        for var view in center.liveCalls {
            view.enqueuedAt = engineTime(view.enqueuedAt)
            view.queueEnteredAt = engineTime(view.queueEnteredAt)
            view.firstRingAt = view.firstRingAt.map(engineTime)
            view.answeredAt = view.answeredAt.map(engineTime)
            let bridged = self.calls[view.id]
            let legs = (bridged?.agentLegs.values.map { EngineSnapshot.Leg(agent: $0.agent, state: "\($0.state)", startedAt: $0.startedAt) } ?? [])
                .sorted { $0.startedAt < $1.startedAt }
            calls.append(.init(view: view, callerLeg: bridged.map { "\($0.customer.state)" } ?? "ended", agentLegs: legs))
        }
        let agents = center.agentStates.map { a in
            EngineSnapshot.Agent(
                login: a.agent, state: a.state, since: agentSince[a.agent]?.since ?? .zero,
                pendingRelease: center.pendingRelease(of: a.agent), registered: !registrar.bindings(of: a.agent).isEmpty,
                callsAnswered: center.callsAnswered(by: a.agent))
        }
        let stateOf = Dictionary(uniqueKeysWithValues: agents.map { ($0.login, $0.state.name) })
        let queues = center.queueNames.map { name in
            let waiting = center.waitingCalls(inQueue: name)
            var byState: [String: Int] = [:]
            for agent in center.agentsServing(queue: name) { byState[stateOf[agent] ?? "offline", default: 0] += 1 }
            let oldest = calls.filter { $0.view.stage == .waiting && $0.view.queue == name }.map(\.view.queueEnteredAt).min()
            return EngineSnapshot.Queue(
                name: name, weight: center.queueWeight(name) ?? 1, waiting: waiting, oldestWaitingSince: oldest,
                estimatedWait: holdEstimate[name], agentsByState: byState)
        }
        return EngineSnapshot(now: now, draining: draining, queues: queues, agents: agents, calls: calls)
    }
}
