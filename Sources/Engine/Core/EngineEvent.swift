import SIP
import CallCenter

/// What the engine's driver feeds into the core.
public enum EngineEvent: Sendable {
    /// A parsed SIP message arrived from `source` (the datagram's address).
    case received(SIPMessage, from: Endpoint)
    case timerFired(EngineTimer)
    /// The relay could not bind a call's ports.
    case mediaFailed(CallID, reason: String)
    /// A request we sent got no final answer (RFC 3261 Timer B/F) or could not be sent.
    case requestFailed(callID: String, method: String)
    /// Our 2xx to a customer's INVITE was never ACKed within 64*T1 (§13.3.1.4).
    case ackTimedOut(CallID)
}

/// Every timer the engine core may arm. The driver schedules them and reports them back.
public enum EngineTimer: Hashable, Sendable {
    case callCenter(TimerID)
    /// A registration binding expired (RFC 3261 §10.3 step 7 expiry): the agent goes offline.
    case registrationExpiry(AgentID, contact: String)
    /// A SIP transaction timer (RFC 3261 §17: A-K, L, M).
    case transaction(TransactionTimerID)
    /// Retransmission of our 2xx to a customer until the ACK (§13.3.1.4), by customer Call-ID.
    case okRetransmit(String, ServerDialog2xxRetransmitter.Timer)
    /// How long a cancelled agent leg waits for its final response (RFC 3261 Timer B, 64*T1).
    case lingeringLeg(String)
}

/// Which side of a bridged call a media socket faces.
public enum MediaLeg: Int, Sendable, Hashable {
    case caller = 0, agent = 1
}

/// What the core asks the driver to do.
public enum EngineAction: Sendable, Equatable {
    case send(SIPMessage, to: Endpoint)
    case startTimer(EngineTimer, at: Duration)
    case cancelTimer(EngineTimer)
    case openMedia(CallID, callerPort: Int, agentPort: Int)
    case setMediaPeer(CallID, MediaLeg, Endpoint)
    case closeMedia(CallID)
    /// A finished call, to be stored before the engine logs it as ended.
    case record(CallRecord)
    case log(LogLevel, String, call: CallID?)
}

public enum LogLevel: String, Sendable {
    case debug, info, notice, warning, error
}
