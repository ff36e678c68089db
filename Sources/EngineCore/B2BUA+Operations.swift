import CallCenter

/// What operators follow (`OperationsEvent`), read off each routing-core step: the event that
/// went in and the decisions that came out, before they are carried out on the SIP legs.
extension B2BUA {
    mutating func observe(_ event: CallCenterEvent, _ actions: [CallCenterAction], now: Duration, into out: inout [B2BUAAction]) {
        func notify(_ kind: OperationsEvent.Kind) { out.append(.notify(OperationsEvent(at: now, kind))) }
        switch event {
        case .callArrived(let id, let queue, let caller, _, _), .callArrivedWithSkills(let id, let queue, let caller, _, _, _):
            // Refused on arrival (queue full): it never entered the queue.
            if let view = center.liveCall(id) {
                let position = view.stage == .waiting ? center.waitingCount(inQueue: queue) : 1
                calls[id]?.entryPosition = position
                notify(.callQueued(id, queue: queue, caller: caller, position: position))
            }
        case .agentRejected(let id, let agent):
            notify(.ringNoAnswer(id, queue: center.callPlacement(id)?.queue ?? "", agent: agent, ringTime: ringTime(id, agent, now)))
        default:
            break
        }
        let ringTimedOut: Bool = if case .timerFired = event { true } else { false }
        // An agent's state change follows the call event that caused it (offered, then ringing).
        var agentChanges: [OperationsEvent.Kind] = []
        defer { agentChanges.forEach(notify) }
        for action in actions {
            switch action {
            case .ringAgent(let id, let agent):
                notify(.callOffered(id, queue: center.callPlacement(id)?.queue ?? "", agent: agent))
            case .cancelRing(let id, let agent) where ringTimedOut:
                // A ring timeout, unless the call itself ended (maximum wait) in the same step.
                let ended = actions.contains { if case .callFinished(let r) = $0 { r.callID == id } else { false } }
                if !ended { notify(.ringNoAnswer(id, queue: center.callPlacement(id)?.queue ?? "", agent: agent, ringTime: ringTime(id, agent, now))) }
            case .bridge(let id, let agent):
                guard let view = center.liveCall(id) else { break }
                let hold = now - engineTime(view.enqueuedAt)
                holdEstimate[view.queue] = holdEstimate[view.queue].map { ($0 * 3 + hold) / 4 } ?? hold
                let leg = calls[id]?.agentLegs.first { $0.value.agent == agent && $0.value.phase == .answered }?.key ?? "NONE"
                notify(.callAnswered(id, queue: view.queue, agent: agent, agentLeg: leg, holdTime: hold, ringTime: ringTime(id, agent, now)))
            case .callFinished(let record):
                let position = record.answeredAt == nil ? center.waitingAhead(inQueue: record.queue, enqueuedBefore: record.enqueuedAt) + 1 : 1
                notify(.callEnded(engineRecord(record), position: position, originalPosition: calls[record.callID]?.entryPosition ?? 1))
            case .agentStateChanged(let agent, let state):
                let previous = agentSince[agent]?.state ?? .offline
                agentSince[agent] = (state, now)
                agentChanges.append(.agentStateChanged(agent, from: previous, to: state))
            default:
                break
            }
        }
    }

    /// How long the agent's latest leg of the call has rung (0 when no INVITE went out).
    private func ringTime(_ id: CallID, _ agent: AgentID, _ now: Duration) -> Duration {
        guard let started = calls[id]?.agentLegs.values.filter({ $0.agent == agent }).map(\.startedAt).max() else { return .zero }
        return now - started
    }
}
