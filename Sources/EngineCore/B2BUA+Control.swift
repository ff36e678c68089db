import CallCenter
import SIP

/// `ControlCommand`s: checked against the agent's and call's state first, so a refused command
/// changes nothing, then fed to the routing core as the same events a phone's MESSAGE causes.
extension B2BUA {
    mutating func control(_ command: ControlCommand, now: Duration, into out: inout [B2BUAAction]) -> ControlOutcome {
        switch command {
        case .makeAvailable(let agent):
            return makeAvailable(agent, now: now, into: &out)
        case .release(let agent, let reason):
            guard let state = center.agentState(agent) else { return .refused(Self.unknownAgent(agent)) }
            guard state != .offline else {
                return .refused(.init(.conflict, field: "state", "agent \(agent) is logged out; it must be available or on a call to be released"))
            }
            route(.agentReleased(agent, reason), now: now, into: &out)
            switch state {
            case .onCall, .wrapUp: return .done("released as \(reason.id) when the call and its wrap-up end")
            default: return .done("released as \(reason.id)")
            }
        case .logOut(let agent):
            guard let state = center.agentState(agent) else { return .refused(Self.unknownAgent(agent)) }
            guard state != .offline else { return .done("already logged out") }
            route(.agentLoggedOut(agent), now: now, into: &out)
            if case .onCall(let call) = state { return .done("logged out; the call \(call) was ended") }
            return .done("logged out")
        case .wrapUpDone(let agent, let notes):
            guard let state = center.agentState(agent) else { return .refused(Self.unknownAgent(agent)) }
            guard case .wrapUp(let call) = state else {
                return .refused(.init(.conflict, field: "state", "agent \(agent) is \(state.name), not in wrap-up"))
            }
            if let notes, !notes.isEmpty {
                guard let call else { return .refused(.init(.conflict, field: "notes", "agent \(agent)'s wrap-up follows no call to save notes to")) }
                out.append(.saveNotes(call, notes))
            }
            route(.wrapUpDone(agent), now: now, into: &out)
            return .done("wrap-up done")
        case .hangUp(let call):
            guard let c = calls[call], !c.recorded else { return .refused(.init(.notFound, field: "call", "no live call '\(call)'")) }
            out.append(.log(.notice, "ended by an operator", call: call))
            route(.callFailed(call, .operatorHangUp), now: now, into: &out)
            return .done("call ended")
        case .pauseRecording(let id, let paused):
            guard let call = calls[id], !call.recorded else { return .refused(.init(.notFound, field: "call", "no live call '\(id)'")) }
            guard let now = call.recordingPaused else {
                return .refused(.init(.conflict, field: "call", "call '\(id)' is not being recorded (queues[].media.record or agents[].record, from the agent's answer)"))
            }
            guard now != paused else { return .done(paused ? "the recording is already paused" : "the recording is already running") }
            calls[id]?.recordingPaused = paused
            out.append(.pauseRecording(id, paused))
            out.append(.log(.notice, paused ? "recording paused" : "recording resumed", call: id))
            return .done(paused ? "recording paused" : "recording resumed")
        case .setQueueWeight(let queue, let weight):
            guard center.queueWeight(queue) != nil else { return .refused(.init(.notFound, field: "queue", "no queue '\(queue)'")) }
            guard (1...1_000).contains(weight) else { return .refused(.init(.invalid, field: "weight", "weight must be 1 to 1000, not \(weight)")) }
            _ = center.setWeight(weight, ofQueue: queue)
            out.append(.log(.notice, "queue \(queue) weight set to \(weight)", call: nil))
            return .done("weight \(weight)")
        case .reload(let reload):
            let change: CallCenter.Reconfiguration
            do {
                change = try center.reconfigure(reload.routing)
            } catch {
                out.append(.log(.warning, "reload refused, the running configuration stays: \(error)", call: nil))
                return .refused(.init(.invalid, field: "config", error.description))
            }
            queues = Set(center.queueNames)
            registrar.setAgents(Set(reload.accounts.map(\.login)))
            authenticator.setAccounts(reload.accounts)
            out.append(.log(.notice, "configuration reloaded: \(change)", call: nil))
            return .done(change.description)
        }
    }

    private mutating func makeAvailable(_ agent: AgentID, now: Duration, into out: inout [B2BUAAction]) -> ControlOutcome {
        guard let state = center.agentState(agent) else { return .refused(Self.unknownAgent(agent)) }
        switch state {
        case .available:
            return .done("already available")
        case .offline:
            guard !registrar.bindings(of: agent).isEmpty else {
                return .refused(.init(.conflict, field: "state", "agent \(agent) has no registered phone to ring; it logs in by registering"))
            }
            route(.agentLoggedIn(agent), now: now, into: &out)
            return .done("logged in and available")
        case .ringing, .onCall:
            // Back from a break asked for during the call: the pending release is withdrawn.
            if case .onCall = state, center.pendingRelease(of: agent) != nil {
                route(.agentAvailable(agent), now: now, into: &out)
                return .done("the release pending for the end of the call is withdrawn")
            }
            return .refused(.init(.conflict, field: "state", "agent \(agent) is \(state.name); available applies after a break or wrap-up"))
        case .released, .wrapUp:
            route(.agentAvailable(agent), now: now, into: &out)
            return .done("available")
        }
    }

    static func unknownAgent(_ agent: AgentID) -> ControlRefusal {
        .init(.notFound, field: "agent", "no agent '\(agent)'")
    }
}
