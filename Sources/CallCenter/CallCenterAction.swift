/// What the driver must do. Actions come out in the order they must be carried out.
public enum CallCenterAction: Sendable, Equatable {
    /// INVITE the agent; send 180 Ringing to the caller.
    case ringAgent(CallID, AgentID)
    /// CANCEL that agent leg (ring-all losers, caller hung up while ringing, ring timeout).
    case cancelRing(CallID, AgentID)
    /// Answer the caller and relay media between caller and agent.
    case bridge(CallID, AgentID)
    /// Seed 002 StartCallRecording, right after the bridge; the driver may just log it.
    case startRecording(CallID)
    /// End whatever legs of the call exist. Emitted once when a call ends, except for
    /// voicemail and rejected calls.
    case hangUp(CallID, reason: EndReason)
    case routeToVoicemail(CallID)
    case announce(CallID, prompt: String)
    /// Refuse the call (driver answers 486/503/404). A `callFinished(.rejected)` follows,
    /// except for a duplicate call id, which is refused without a record.
    case rejectCall(CallID, reason: String)
    case startTimer(TimerID, at: Duration)
    case cancelTimer(TimerID)
    case agentStateChanged(AgentID, AgentState)
    /// Exactly once for every call that arrived.
    case callFinished(CallRecord)
}
