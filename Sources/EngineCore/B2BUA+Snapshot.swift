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
            let legs = (bridged?.agentLegs.values.map { EngineSnapshot.Leg(agent: $0.agent, state: $0.phase.rawValue, startedAt: $0.startedAt) } ?? [])
                .sorted { $0.startedAt < $1.startedAt }
            calls.append(.init(view: view, callerLeg: bridged.map { $0.message != nil ? "voicemail" : $0.customer.phase.rawValue } ?? "ended", agentLegs: legs))
        }
        let agents = center.agentStates.map { a in
            EngineSnapshot.Agent(
                login: a.agent, state: a.state, since: agentSince[a.agent]?.since ?? .zero,
                pendingRelease: center.pendingRelease(of: a.agent), registered: !registrar.bindings(of: a.agent).isEmpty,
                callsAnswered: center.callsAnswered(by: a.agent))
        }
        let queues = center.queueNames.map { name in
            EngineSnapshot.Queue(
                name: name, weight: center.queueWeight(name) ?? 1, waiting: center.waitingCalls(inQueue: name),
                oldestWaitingSince: center.oldestWaitingSince(inQueue: name).map(engineTime),
                estimatedWait: holdEstimate[name], agentsByState: agentsByState(serving: name))
        }
        return EngineSnapshot(now: now, draining: draining, queues: queues, agents: agents, calls: calls)
    }

    /// Each queue's wallboard figures, without the rest of a snapshot (sorting no call): what the
    /// driver samples once a second for the event stream and metrics.
    public func queueFigures() -> [OperationsEvent.QueueFigures] {
        center.queueNames.map { name in
            OperationsEvent.QueueFigures(
                queue: name, waiting: center.waitingCount(inQueue: name),
                oldestWaitingSince: center.oldestWaitingSince(inQueue: name).map(engineTime), agentsByState: agentsByState(serving: name))
        }
    }

    private func agentsByState(serving queue: String) -> [String: Int] {
        var byState: [String: Int] = [:]
        for agent in center.agentsServing(queue: queue) { byState[(center.agentState(agent) ?? .offline).name, default: 0] += 1 }
        return byState
    }
}
