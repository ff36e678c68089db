/// Everything that can happen to the core. Drivers feed these with the current `now`.
public enum CallCenterEvent: Sendable, Equatable {
    /// Registered agent logs in: Offline -> Available. Unknown logins are ignored.
    case agentLoggedIn(AgentID)
    /// -> Offline. A ringing call goes back to its queue; a call in progress is hung up.
    case agentLoggedOut(AgentID)
    /// Break. Immediate unless on a call or in wrap-up, where it applies when that ends.
    case agentReleased(AgentID, ReleaseReason)
    /// Back from release (or ends wrap-up early, like `wrapUpDone`).
    case agentAvailable(AgentID)
    /// The agent ends wrap-up on request (seed 002 CompleteWrapUp).
    case wrapUpDone(AgentID)
    /// After a restart: the agent, available again, was in wrap-up until `until` when the engine
    /// stopped, and goes back to it until then (a deadline already past: it stays available).
    case agentResumedWrapUp(AgentID, until: Duration)
    /// A call enters `queue`. Lower `priority` is served first; drivers use 1 by default.
    case callArrived(CallID, queue: String, caller: CallerInfo, media: MediaType, priority: Int)
    /// As `callArrived`, with skills of the call's own (added to the queue's skills).
    case callArrivedWithSkills(
        CallID, queue: String, caller: CallerInfo, media: MediaType, priority: Int, skills: [Skill])
    /// The agent leg was accepted (seed 002 AgentAccept).
    case agentAnswered(CallID, AgentID)
    /// The agent leg failed (4xx/5xx/6xx or a SIP-level timeout): same as no answer, at once.
    case agentRejected(CallID, AgentID)
    /// The caller went away (BYE/CANCEL) at any stage.
    case callerHungUp(CallID)
    /// The agent ended the call in progress.
    case agentHungUp(CallID)
    /// The engine cannot carry the call on (its own fault: media, shutdown, no ACK): an unanswered
    /// call ends `failed`, an answered one `answered`, both with `reason`.
    case callFailed(CallID, EndReason)
    /// A message item (a voicemail taken by an agent) has played to its end: the call ends
    /// answered, reason `message-played`.
    case messagePlayed(CallID)
    case timerFired(TimerID)
}
