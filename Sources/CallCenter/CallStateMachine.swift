/// One call's lifecycle, after seed 002: Queued -> AgentRinging -> Active -> Terminating.
/// Agents are the composer's agent indices. Each event returns the seed's action bundle.
struct CallStateMachine: Sendable, Equatable {
    enum State: Equatable, Sendable {
        case queued
        /// More than one leg only for ring-all.
        case agentRinging([Int])
        case active(Int)
        case terminating
    }

    enum Action: Equatable, Sendable {
        case none
        /// AssignToAgent: RouteToAgent, NotifyAgent.
        case routeToAgentAndNotify([Int])
        /// QueueTimeout (and the recipe `voicemail`): RemoveFromQueue, RouteToVoicemail.
        case removeFromQueueAndRouteToVoicemail
        /// HangupCall while queued, or the core giving up: RemoveFromQueue, SendBYE.
        case removeFromQueueAndSendBye
        /// AgentAccept: BridgeToAgent, StartCallRecording; other ring-all legs are cancelled.
        case bridgeAndRecord(agent: Int, cancelling: [Int])
        /// AgentNoAnswer while other ring-all legs still ring: ReleaseAgent.
        case releaseAgent(Int)
        /// AgentNoAnswer on the last leg: ReleaseAgent, FindNextAgent (back to Queued).
        case releaseAgentAndFindNext(Int)
        /// HangupCall while ringing or active: SendBYE, ReleaseAgent (every leg).
        case sendByeAndReleaseAgents([Int])
    }

    private(set) var state: State = .queued

    var isQueued: Bool { state == .queued }

    var ringingAgents: [Int] {
        if case .agentRinging(let legs) = state { return legs }
        return []
    }

    var activeAgent: Int? {
        if case .active(let agent) = state { return agent }
        return nil
    }

    mutating func assignToAgents(_ agents: [Int]) -> Action {
        guard state == .queued, !agents.isEmpty else { return .none }
        state = .agentRinging(agents)
        return .routeToAgentAndNotify(agents)
    }

    mutating func agentAccept(_ agent: Int) -> Action {
        guard case .agentRinging(let legs) = state, legs.contains(agent) else { return .none }
        state = .active(agent)
        return .bridgeAndRecord(agent: agent, cancelling: legs.filter { $0 != agent })
    }

    mutating func agentNoAnswer(_ agent: Int) -> Action {
        guard case .agentRinging(var legs) = state, let i = legs.firstIndex(of: agent) else {
            return .none
        }
        legs.remove(at: i)
        if legs.isEmpty {
            state = .queued
            return .releaseAgentAndFindNext(agent)
        }
        state = .agentRinging(legs)
        return .releaseAgent(agent)
    }

    mutating func queueTimeout() -> Action {
        guard state == .queued else { return .none }
        state = .terminating
        return .removeFromQueueAndRouteToVoicemail
    }

    mutating func hangupCall() -> Action {
        switch state {
        case .queued:
            state = .terminating
            return .removeFromQueueAndSendBye
        case .agentRinging(let legs):
            state = .terminating
            return .sendByeAndReleaseAgents(legs)
        case .active(let agent):
            state = .terminating
            return .sendByeAndReleaseAgents([agent])
        case .terminating:
            return .none
        }
    }
}
