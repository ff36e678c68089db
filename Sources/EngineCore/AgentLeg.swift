import CallCenter
import SIP

/// An agent leg: we are the UAC of its INVITE (RFC 3261 §13.2, §17.1.1, §9.1). A state machine
/// value (HOUSE_STYLE): each state carries what it needs, and each event is one function that
/// says what to send, so no combination of flags can say "cancelled and answered".
struct AgentLeg: Sendable {
    enum State: Sendable, Equatable {
        /// INVITE sent, no provisional yet: a CANCEL may not go out (RFC 3261 §9.1).
        case trying
        /// A 1xx arrived: the agent's phone is ringing.
        case proceeding
        /// Cancelled before any 1xx: the CANCEL goes out with the first one (or a final answer settles it).
        case cancelPending
        /// CANCEL sent: waiting for the 487 (or a 2xx that crossed it).
        case cancelling
        /// The agent answered: its 2xx, which carries the SDP answer.
        case answered(SIPMessage)
        case ended
    }

    /// What the rest of the B2BUA asks of a leg: is it ringing, being cancelled, up, or over.
    enum Phase: String, Sendable, Equatable { case calling, cancelling, answered, ended }

    let agent: AgentID
    let invite: SIPMessage
    /// Where the INVITE and its CANCEL go: the registered address, or the first proxy of a Path.
    let target: Endpoint
    /// When the INVITE went out (queue_log ring times).
    let startedAt: Duration
    /// Our dialog with the agent's device: updated by its responses, builds our ACK, BYE and
    /// re-INVITE, checks the agent's CSeq.
    var dialog: Dialog
    private(set) var state: State = .trying

    init(agent: AgentID, invite: SIPMessage, target: Endpoint, startedAt: Duration) {
        self.agent = agent
        self.invite = invite
        self.target = target
        self.startedAt = startedAt
        self.dialog = Dialog(uac: invite)
    }

    var phase: Phase {
        switch state {
        case .trying, .proceeding: .calling
        case .cancelPending, .cancelling: .cancelling
        case .answered: .answered
        case .ended: .ended
        }
    }

    /// The agent's 2xx, once answered.
    var answer: SIPMessage? { if case .answered(let ok) = state { ok } else { nil } }

    /// We cancel a ringing leg: the CANCEL to send now, or nil while no 1xx has come (it is held).
    mutating func cancel() -> SIPMessage? {
        switch state {
        case .proceeding:
            state = .cancelling
            return Dialog.cancel(of: invite)
        case .trying:
            state = .cancelPending
            return nil
        case .cancelPending, .cancelling, .answered, .ended:
            return nil
        }
    }

    /// A provisional response arrived: a held CANCEL, if any, goes out now.
    mutating func provisional(_ response: SIPMessage) -> SIPMessage? {
        dialog.received(response: response)
        switch state {
        case .trying:
            state = .proceeding
            return nil
        case .cancelPending:
            state = .cancelling
            return Dialog.cancel(of: invite)
        case .proceeding, .cancelling, .answered, .ended:
            return nil
        }
    }

    /// A 2xx to our INVITE (or a 2xx retransmission; the dialog has taken it). True when it is
    /// the first, which answers a leg still ringing or being cancelled.
    mutating func answered(_ ok: SIPMessage) -> Bool {
        switch state {
        case .trying, .proceeding, .cancelPending, .cancelling:
            state = .answered(ok)
            return true
        case .answered, .ended:
            return false
        }
    }

    /// The leg is over (a final non-2xx, a timeout, a BYE either way).
    mutating func end() { state = .ended }
}
