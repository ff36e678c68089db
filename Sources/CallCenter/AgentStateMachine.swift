/// One agent's state (seed 002: Available, Ringing, On Call, Wrap Up, Break, Offline).
/// A value: one `mutating func` per event, each returning what the composer must do next.
/// Events that make no sense in the current state return `.none` and change nothing.
struct AgentStateMachine: Sendable {
    enum Action: Equatable, Sendable {
        case none
        /// The state changed; read `state` for the new one.
        case changed
        /// Changed, and the agent dropped the ringing call, which must go back to its queue.
        case changedDroppingRing(CallID)
        /// Changed, and the call in progress must be ended (logout while on a call).
        case changedEndingCall(CallID)
        /// Ring failure number `maxRingFailures`: the agent is now Released("Ring Fail").
        case releasedForRingFailure
        /// The call ended and the agent is now in wrap-up: start the wrap-up timer.
        case startWrapUp
        /// Seed 002 CompleteWrapUp: SaveCallNotes, UpdateAgentStats.
        case saveNotesAndUpdateStats
        /// Seed 002 WrapUpTimeout: ForceCompleteWrapUp, UpdateAgentStats.
        case forceCompleteWrapUp
    }

    private(set) var state: AgentState = .offline
    private(set) var consecutiveRingFailures = 0
    /// A release asked for during a call or wrap-up; applied when that ends.
    private(set) var pendingRelease: ReleaseReason?
    let maxRingFailures: Int

    init(maxRingFailures: Int) {
        self.maxRingFailures = maxRingFailures
    }

    var isAvailable: Bool { state == .available }
    var isLoggedIn: Bool { state != .offline }

    mutating func logIn() -> Action {
        guard state == .offline else { return .none }
        consecutiveRingFailures = 0
        state = .available
        return .changed
    }

    mutating func logOut() -> Action {
        let previous = state
        pendingRelease = nil
        state = .offline
        switch previous {
        case .offline: return .none
        case .ringing(let call): return .changedDroppingRing(call)
        case .onCall(let call): return .changedEndingCall(call)
        default: return .changed
        }
    }

    mutating func release(_ reason: ReleaseReason) -> Action {
        switch state {
        case .offline:
            return .none
        case .available, .released:
            state = .released(reason)
            return .changed
        case .ringing(let call):
            state = .released(reason)
            return .changedDroppingRing(call)
        case .onCall, .wrapUp:
            pendingRelease = reason
            return .none
        }
    }

    /// Back from release; from wrap-up it ends wrap-up like `completeWrapUp`; during a call it
    /// cancels a pending release.
    mutating func makeAvailable() -> Action {
        switch state {
        case .released:
            consecutiveRingFailures = 0
            state = .available
            return .changed
        case .wrapUp:
            pendingRelease = nil
            return completeWrapUp()
        case .onCall:
            pendingRelease = nil
            return .none
        case .offline, .available, .ringing:
            return .none
        }
    }

    /// Seed 002 AssignToAgent (RouteToAgent, NotifyAgent) from the agent's side.
    mutating func offer(_ call: CallID) -> Action {
        guard state == .available else { return .none }
        state = .ringing(call)
        return .changed
    }

    mutating func answer(_ call: CallID) -> Action {
        guard state == .ringing(call) else { return .none }
        consecutiveRingFailures = 0
        state = .onCall(call)
        return .changed
    }

    /// Reject or ring timeout. OpenACD: 3 consecutive failures release the agent.
    mutating func ringFailed(_ call: CallID) -> Action {
        guard state == .ringing(call) else { return .none }
        consecutiveRingFailures += 1
        if consecutiveRingFailures >= maxRingFailures {
            state = .released(.ringFail)
            return .releasedForRingFailure
        }
        state = .available
        return .changed
    }

    /// The ring was withdrawn (another agent answered a ring-all, the caller hung up): no failure.
    mutating func ringCancelled(_ call: CallID) -> Action {
        guard state == .ringing(call) else { return .none }
        state = .available
        return .changed
    }

    mutating func callEnded(_ call: CallID, wrapUp: Bool) -> Action {
        guard state == .onCall(call) else { return .none }
        if wrapUp {
            state = .wrapUp(call)
            return .startWrapUp
        }
        leaveWrapUp()
        return .changed
    }

    /// After a restart: an available agent who was in wrap-up goes back to it (its call is gone).
    mutating func resumeWrapUp() -> Action {
        guard state == .available else { return .none }
        state = .wrapUp(nil)
        return .startWrapUp
    }

    mutating func completeWrapUp() -> Action {
        guard case .wrapUp = state else { return .none }
        leaveWrapUp()
        return .saveNotesAndUpdateStats
    }

    mutating func wrapUpTimeout() -> Action {
        guard case .wrapUp = state else { return .none }
        leaveWrapUp()
        return .forceCompleteWrapUp
    }

    private mutating func leaveWrapUp() {
        if let reason = pendingRelease {
            state = .released(reason)
            pendingRelease = nil
        } else {
            state = .available
        }
    }
}
