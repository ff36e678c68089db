import SIP

/// The customer's leg: we are the UAS of its INVITE (RFC 3261 §13.3). A state machine value like
/// `AgentLeg`: each state carries what it needs (the early state its ringing and early-media
/// facts, the answered state its 200), and each event is one function, so "ended but still
/// ringing" cannot be said.
struct CustomerLeg: Sendable {
    struct Early: Sendable, Equatable {
        /// The last response sent (100, 180 or 183), sent again for a retransmitted INVITE.
        var last: SIPMessage
        /// A 180 went out (one is enough, RFC 3261 §13.3.1.1).
        var rang = false
        /// The agent leg whose early media (a provisional with SDP) the caller hears.
        var earlyMediaLeg: String?
    }

    enum State: Sendable, Equatable {
        /// Not answered: provisional responses only.
        case early(Early)
        /// Our 200 went out (its retransmission until the ACK is the stack's, §13.3.1.4).
        case answered(ok: SIPMessage)
        /// Over: by our final response or BYE, or by the caller's CANCEL or BYE. `last` is the
        /// last response sent to the INVITE, still sent again for a late retransmission of it.
        case ended(last: SIPMessage)
    }

    /// What the rest of the B2BUA asks of the leg.
    enum Phase: String, Sendable, Equatable { case early, answered, ended }

    let invite: SIPMessage
    /// Where responses go (top Via with rport/received, RFC 3261 §18.2.2).
    let responseTarget: Endpoint
    /// Where the INVITE came from: with the NAT policy, where requests to the remote target go.
    let source: Endpoint
    let localTag: String
    /// Our dialog with the caller (we are its UAS): builds our BYE, checks the caller's CSeq.
    var dialog: Dialog
    let offer: SessionDescription
    /// The SDP answer given to the caller (in a 183 or the 200), the same for the whole call
    /// (RFC 3264 §8) until a re-INVITE changes it.
    var answer: SessionDescription?
    private(set) var state: State

    init(invite: SIPMessage, responseTarget: Endpoint, source: Endpoint, localTag: String, dialog: Dialog,
         offer: SessionDescription, trying: SIPMessage) {
        self.invite = invite
        self.responseTarget = responseTarget
        self.source = source
        self.localTag = localTag
        self.dialog = dialog
        self.offer = offer
        self.state = .early(Early(last: trying))
    }

    var phase: Phase {
        switch state {
        case .early: .early
        case .answered: .answered
        case .ended: .ended
        }
    }

    /// The last response sent to the INVITE (for a retransmission of it, RFC 3261 §17.2.1).
    var lastResponse: SIPMessage {
        switch state {
        case .early(let e): e.last
        case .answered(let ok): ok
        case .ended(let last): last
        }
    }

    /// The agent leg whose early media the caller hears, while unanswered.
    var earlyMediaLeg: String? { if case .early(let e) = state { e.earlyMediaLeg } else { nil } }

    /// A 180 for the caller: true when it is to be sent (the first one).
    mutating func ring(_ ringing: SIPMessage) -> Bool {
        guard case .early(var e) = state, !e.rang else { return false }
        e.rang = true
        e.last = ringing
        state = .early(e)
        return true
    }

    /// A 183 with `leg`'s early media goes to the caller.
    mutating func earlyMedia(_ progress: SIPMessage, from leg: String) {
        guard case .early(var e) = state else { return }
        e.earlyMediaLeg = leg
        e.last = progress
        state = .early(e)
    }

    /// A provisional response of our own (a 183 with the queue's media): sent again for a
    /// retransmitted INVITE.
    mutating func progress(_ response: SIPMessage) {
        guard case .early(var e) = state else { return }
        e.last = response
        state = .early(e)
    }

    /// The agent leg whose early media the caller heard is no longer ringing (cancelled).
    mutating func earlyMediaEnded(_ leg: String) {
        guard case .early(var e) = state, e.earlyMediaLeg == leg else { return }
        e.earlyMediaLeg = nil
        state = .early(e)
    }

    /// Our 200 goes to the caller; false when the leg is no longer early (nothing to answer).
    mutating func answer(with ok: SIPMessage) -> Bool {
        guard case .early = state else { return false }
        state = .answered(ok: ok)
        return true
    }

    /// What ending the leg from our side sends: the final response to an unanswered INVITE
    /// (built by `final`), a BYE (built by `bye`) to an answered one, nothing when it is over.
    enum Ending: Equatable { case response(SIPMessage), bye(SIPMessage), none }

    mutating func end(final: () -> SIPMessage, bye: (inout Dialog) -> SIPMessage) -> Ending {
        switch state {
        case .early:
            let r = final()
            state = .ended(last: r)
            return .response(r)
        case .answered(let ok):
            state = .ended(last: ok)
            return .bye(bye(&dialog))
        case .ended:
            return .none
        }
    }

    /// The caller hung up (BYE) or cancelled (CANCEL, answered 487 by `end`).
    mutating func callerEnded() {
        if case .ended = state { return }
        state = .ended(last: lastResponse)
    }
}
