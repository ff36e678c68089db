import SIP
import CallCenter

/// What the engine's driver feeds into the core (`SIPStack`). The stack hands the B2BUA its own
/// events (`B2BUAEvent`): the transaction layer's timers and the 2xx retransmitter's stay below it.
public enum EngineEvent: Sendable {
    /// The engine starts serving, with what it kept from its last run.
    case start(DurableState)
    /// A parsed SIP message arrived from `source` (the datagram's address, or the connection's
    /// remote address and transport).
    case received(SIPMessage, from: Endpoint)
    /// A message could not be sent (a connection refused, reset or timed out): its transaction
    /// fails at once instead of waiting out Timer B/F (RFC 3261 §8.1.3.1, §17.1.4).
    case sendFailed(SIPMessage)
    case timerFired(EngineTimer)
    /// The relay could not bind a call's ports.
    case mediaFailed(CallID, reason: String)
    /// The relay closed the sockets of a call (`closeMedia`): its ports may be handed out again.
    case mediaClosed(ports: [Int])
    /// A port from `prepareMedia` could not be bound (another process holds it or its RTCP port).
    case mediaPortUnavailable(port: Int, reason: String)
    /// A leg's phone pressed a key (RFC 4733 event through the relay, or SIP INFO).
    case digit(CallID, Character)
    /// A `.prompt` playback ended on the caller's leg (its last frame went out, or it was stopped).
    case promptPlayed(CallID, token: Int)
    /// A voicemail message was saved: it waits in its queue for an agent.
    case voicemailSaved(VoicemailMessage)
    /// The leg's phone has sent no sound for the time `watchQuiet` asked.
    case mediaQuiet(CallID, MediaLeg)
    /// The engine's own lag, measured by the driver every `LoadReport.interval` (overload control).
    case load(OverloadControl.LoadReport)
    /// Bytes still waiting in the SIP socket after a batch of reads, and when the driver last saw
    /// it empty (overload control's queue gate).
    case socketBacklog(bytes: Int, emptyAt: Duration? = nil)
    /// Stop accepting calls (503 with Retry-After); the calls in progress go on.
    case drain
    /// Accept new calls again after `drain` (an operator's `ccengine resume`).
    case resume
    /// End every call now (BYE, CANCEL, 503), recorded with reason `engine-shutdown`;
    /// the engine is stopping, so it accepts no new call after this.
    case endAllCalls
    /// A command from outside SIP signalling (REST API); answered by one `controlOutcome`.
    case control(ControlCommand)
}

/// What the B2BUA handles: messages that passed the transaction layer, its own timers, and what
/// the layer below reports about the requests it sent.
public enum B2BUAEvent: Sendable {
    case start(DurableState)
    /// A request, ACK or response the transaction layer passed up (`source`: its datagram's address).
    case received(SIPMessage, from: Endpoint)
    case timerFired(B2BUATimer)
    case mediaFailed(CallID, reason: String)
    case mediaClosed(ports: [Int])
    case mediaPortUnavailable(port: Int, reason: String)
    case digit(CallID, Character)
    case promptPlayed(CallID, token: Int)
    case voicemailSaved(VoicemailMessage)
    case mediaQuiet(CallID, MediaLeg)
    case load(OverloadControl.LoadReport)
    case socketBacklog(bytes: Int, emptyAt: Duration? = nil)
    case drain
    case resume
    case endAllCalls
    /// A request we sent got no final answer (RFC 3261 Timer B/F), or could not be sent at all
    /// (`unreachable`: a connection refused or reset, §8.1.3.1).
    case requestFailed(callID: String, method: String, unreachable: Bool)
    /// Our 2xx to a customer's INVITE was never ACKed within 64*T1 (§13.3.1.4).
    case ackTimedOut(CallID)
    case control(ControlCommand)
}

/// The B2BUA's own timers.
public enum B2BUATimer: Hashable, Sendable {
    /// The routing core's timers (recipe ticks, ring timeouts, wrap-up...).
    case callCenter(TimerID)
    /// A registration binding expired (RFC 3261 §10.3 step 7 expiry): the agent goes offline.
    case registrationExpiry(AgentID, contact: String)
    /// How long a cancelled agent leg waits for its final response (RFC 3261 Timer B, 64*T1).
    case lingeringLeg(String)
    /// The next position or periodic announcement to a waiting caller (`QueueMedia`).
    case announcement(CallID, QueueAnnouncement)
    /// A menu waited long enough for a key after its prompt (`Menu.timeout`).
    case menuTimeout(CallID)
    /// A voicemail message reached its maximum length.
    case voicemailMax(CallID)
}

/// The announcements a waiting caller hears again and again.
public enum QueueAnnouncement: Hashable, Sendable { case position, periodic }

/// Every timer the engine core may arm, each layer's wrapped in its own case. The driver
/// schedules them and reports them back; the stack hands each to its layer.
public enum EngineTimer: Hashable, Sendable {
    case b2bua(B2BUATimer)
    /// A SIP transaction timer (RFC 3261 §17: A-K, L, M).
    case transaction(TransactionTimerID)
    /// Retransmission of our 2xx to a customer until the ACK (§13.3.1.4), by customer Call-ID.
    case okRetransmit(String, ServerDialog2xxRetransmitter.Timer)
}

/// Which side of a bridged call a media socket faces.
public enum MediaLeg: Int, Sendable, Hashable {
    case caller = 0, agent = 1
}

/// What a layer of the core asks the driver to do, its timers of that layer's own type: the
/// B2BUA's `B2BUAAction`s arm `B2BUATimer`s, the stack's `EngineAction`s arm `EngineTimer`s (the
/// B2BUA's wrapped in `.b2bua`, beside the transaction layer's). One set of cases for both, so an
/// action is added once; the type keeps a layer from arming another layer's timers.
public enum CoreAction<Timer: Hashable & Sendable>: Sendable, Equatable {
    case send(SIPMessage, to: Endpoint)
    case startTimer(Timer, at: Duration)
    case cancelTimer(Timer)
    /// Bind one leg of the call in the relay on this port (and the RTCP port above); the call's
    /// relay session starts with its first leg.
    case openMedia(CallID, MediaLeg, port: Int)
    case setMediaPeer(CallID, MediaLeg, Endpoint)
    /// RTP payload types the relay renumbers from the caller's side to the agent's (and back):
    /// telephone-event numbered differently in the two SDPs. Empty: none.
    case mapPayloadTypes(CallID, callerToAgent: [Int: Int])
    /// The relay plays to a leg (music, announcements) in the leg's agreed codec; what the other
    /// side sends does not reach that leg until `stopMedia`.
    case playMedia(CallID, MediaLeg, MediaPlayback, AudioFormat)
    /// The leg stops hearing the relay and hears the other side again, on the same RTP stream.
    case stopMedia(CallID, MediaLeg)
    /// Report the RFC 4733 digits the leg's phone sends with this payload type (`digit` events).
    case detectDigits(CallID, MediaLeg, payloadType: Int)
    /// The payload types agreed in SDP for what the leg's phone sends (another is logged once).
    case expectPayloadTypes(CallID, MediaLeg, [Int])
    /// Report `mediaQuiet` once the leg's phone has sent no sound for `seconds` (from now).
    case watchQuiet(CallID, MediaLeg, seconds: Int)
    /// Record the caller's message (its side only) until the call ends; saved as the queue's voicemail.
    case recordVoicemail(CallID, queue: String, caller: String, maxSeconds: Int)
    /// An agent took a voicemail message (`item`: the call the routing core dispatched for it).
    case voicemailDelivered(VoicemailMessage, item: CallID, agent: AgentID)
    /// Where a caller went through the menus (menu names and keys), once it left them.
    case saveMenuPath(CallID, [String])
    /// Record both directions of the call from now to its end.
    case recordCall(CallID, RecordingFormat, maxSeconds: Int)
    /// Pause (true) or resume (false) the call's recording.
    case pauseRecording(CallID, Bool)
    /// Close the call's relay sockets, then report `mediaClosed` with these ports.
    case closeMedia(CallID, ports: [Int])
    /// Bind the next legs' ports ahead of them; report `mediaPortUnavailable` for one that fails.
    case prepareMedia(ports: [Int])
    /// A call was accepted: its row is opened (disposition `pending`) until `record` closes it.
    case openRecord(AcceptedCall)
    /// A finished call, to be stored before the engine logs it as ended. `dialogs`: the SIP
    /// Call-IDs of its agent legs (the customer's is the call's id): a response that ends one of
    /// them (the 200 to an agent's BYE) also waits until the row is on disk.
    case record(CallRecord, dialogs: [String] = [])
    /// An agent's registrations changed (kept across restarts; empty: none left).
    case saveBindings(AgentID, [Registrar.Binding])
    /// An agent was released (with the reason) or is no longer (nil), kept across restarts.
    case saveRelease(AgentID, ReleaseReason?)
    /// An agent is in wrap-up until then (engine time), or no longer (nil), kept across restarts.
    case saveWrapUp(AgentID, until: Duration?)
    case log(LogLevel, String, call: CallID?)
    /// The answer to `EngineEvent.control`.
    case controlOutcome(ControlOutcome)
    /// Wrap-up notes for a finished call, saved with its record.
    case saveNotes(CallID, String)
    /// Something operators follow happened (queue_log, API events, metrics).
    case notify(OperationsEvent)

    /// The same action with its timer wrapped for the layer outside (`EngineTimer.b2bua`).
    public func wrappingTimer<Outer: Hashable & Sendable>(_ wrap: (Timer) -> Outer) -> CoreAction<Outer> {
        switch self {
        case .send(let m, let to): .send(m, to: to)
        case .startTimer(let t, let at): .startTimer(wrap(t), at: at)
        case .cancelTimer(let t): .cancelTimer(wrap(t))
        case .openMedia(let c, let leg, let p): .openMedia(c, leg, port: p)
        case .setMediaPeer(let c, let leg, let e): .setMediaPeer(c, leg, e)
        case .mapPayloadTypes(let c, let map): .mapPayloadTypes(c, callerToAgent: map)
        case .playMedia(let c, let leg, let p, let f): .playMedia(c, leg, p, f)
        case .stopMedia(let c, let leg): .stopMedia(c, leg)
        case .recordCall(let c, let f, let m): .recordCall(c, f, maxSeconds: m)
        case .pauseRecording(let c, let p): .pauseRecording(c, p)
        case .detectDigits(let c, let leg, let pt): .detectDigits(c, leg, payloadType: pt)
        case .expectPayloadTypes(let c, let leg, let t): .expectPayloadTypes(c, leg, t)
        case .watchQuiet(let c, let leg, let s): .watchQuiet(c, leg, seconds: s)
        case .saveMenuPath(let c, let p): .saveMenuPath(c, p)
        case .voicemailDelivered(let m, let item, let agent): .voicemailDelivered(m, item: item, agent: agent)
        case .recordVoicemail(let c, let q, let caller, let m): .recordVoicemail(c, queue: q, caller: caller, maxSeconds: m)
        case .closeMedia(let c, let p): .closeMedia(c, ports: p)
        case .prepareMedia(let p): .prepareMedia(ports: p)
        case .openRecord(let a): .openRecord(a)
        case .record(let r, let d): .record(r, dialogs: d)
        case .saveBindings(let a, let b): .saveBindings(a, b)
        case .saveRelease(let a, let r): .saveRelease(a, r)
        case .saveWrapUp(let a, let u): .saveWrapUp(a, until: u)
        case .log(let l, let t, let c): .log(l, t, call: c)
        case .controlOutcome(let o): .controlOutcome(o)
        case .saveNotes(let c, let n): .saveNotes(c, n)
        case .notify(let e): .notify(e)
        }
    }
}

/// What the engine core (`SIPStack`) asks the driver to do.
public typealias EngineAction = CoreAction<EngineTimer>
/// What the B2BUA asks of the stack and the driver.
public typealias B2BUAAction = CoreAction<B2BUATimer>

public enum LogLevel: String, Sendable {
    case debug, info, notice, warning, error
}

/// A call the engine accepted, as its record stands until the call ends.
public struct AcceptedCall: Sendable, Equatable {
    public var callID: CallID
    public var queue: String
    public var caller: CallerInfo
    public var acceptedAt: Duration
    public var media: MediaType

    public init(callID: CallID, queue: String, caller: CallerInfo, acceptedAt: Duration, media: MediaType = .voice) {
        self.callID = callID
        self.queue = queue
        self.caller = caller
        self.acceptedAt = acceptedAt
        self.media = media
    }
}
