import Primitives
/// Agent events and the bookkeeping every agent transition needs.
extension CallCenter {
    mutating func agentLoggedIn(_ a: Int) {
        let old = agents[a].machine.state
        _ = agents[a].machine.logIn()
        agentMoved(a, from: old)
    }

    mutating func agentLoggedOut(_ a: Int) {
        let old = agents[a].machine.state
        let action = agents[a].machine.logOut()
        agentMoved(a, from: old)
        switch action {
        case .changedDroppingRing(let call):
            if let slot = slotByCallID[call] {
                ringLegEnded(slot, agent: a, sendCancel: true, failure: false)
            }
        case .changedEndingCall(let call):
            if let slot = slotByCallID[call] { endActiveCall(slot, reason: .agentLoggedOut) }
        default:
            break
        }
    }

    mutating func agentReleased(_ a: Int, reason: ReleaseReason) {
        let old = agents[a].machine.state
        let action = agents[a].machine.release(reason)
        agentMoved(a, from: old)
        if case .changedDroppingRing(let call) = action, let slot = slotByCallID[call] {
            ringLegEnded(slot, agent: a, sendCancel: true, failure: false)
        }
    }

    mutating func agentAvailable(_ a: Int) {
        let old = agents[a].machine.state
        _ = agents[a].machine.makeAvailable()
        agentMoved(a, from: old)
    }

    mutating func wrapUpDone(_ a: Int) {
        let old = agents[a].machine.state
        _ = agents[a].machine.completeWrapUp()
        agentMoved(a, from: old)
    }

    mutating func agentResumedWrapUp(_ a: Int, until deadline: Duration) {
        guard deadline > now else { return }
        let old = agents[a].machine.state
        guard agents[a].machine.resumeWrapUp() == .startWrapUp else { return }
        agents[a].wrapUpDeadline = deadline
        agentMoved(a, from: old)
        output.append(.startTimer(.wrapUp(agents[a].login), at: deadline))
    }

    /// Everything that follows an agent state change: the report counts, the routing index,
    /// a stale wrap-up timer, the `agentStateChanged` action, and (when the agent became
    /// available) a dispatch attempt in `settle()`.
    mutating func agentMoved(_ a: Int, from old: AgentState) {
        let new = agents[a].machine.state
        guard new != old else { return }
        stateCounts[old.ordinal] -= 1
        stateCounts[new.ordinal] += 1
        if case .wrapUp = old, agents[a].wrapUpDeadline != nil {
            agents[a].wrapUpDeadline = nil
            output.append(.cancelTimer(.wrapUp(agents[a].login)))
        }
        index.setLoggedIn(a, new != .offline)
        if new == .available {
            index.setAvailable(a, keys: sortKeys(a))
            pendingAgents.append(a)
        } else if old == .available {
            index.setUnavailable(a)
        }
        output.append(.agentStateChanged(agents[a].login, new))
    }

    /// Keys taken as the agent becomes available (fixed while it stays available).
    private mutating func sortKeys(_ a: Int) -> AgentKeys {
        let agent = agents[a]
        // OpenACD sorts agents holding `_all` after specialists; so does skills-then-idle here.
        let skillCount = agent.hasAll ? Int64(Int32.max) : Int64(agent.skills.count)
        return AgentKeys(
            availableSince: now.nanoseconds, skillCount: skillCount, lastOffer: agent.lastOffer,
            callsAnswered: agent.callsAnswered, talkTime: agent.talkTime,
            random: usesRandomStrategy ? Int64(bitPattern: generator.next()) : 0,
            order: Int64(agent.order))
    }

    /// The agent's call ended; the agent goes to wrap-up (timer) or straight on.
    mutating func agentCallEnded(_ a: Int, call: CallID) {
        if let started = agents[a].callStartedAt {
            agents[a].talkTime += (now - started).nanoseconds
            agents[a].callStartedAt = nil
        }
        let old = agents[a].machine.state
        let wrapUp = config.wrapUpTime > .zero
        if agents[a].machine.callEnded(call, wrapUp: wrapUp) == .startWrapUp {
            let deadline = now + config.wrapUpTime
            agents[a].wrapUpDeadline = deadline
            agentMoved(a, from: old)
            output.append(.startTimer(.wrapUp(agents[a].login), at: deadline))
        } else {
            agentMoved(a, from: old)
        }
    }
}
