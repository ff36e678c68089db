import CallCenter
import OrderedCollections
import SIP

/// One customer call through the B2BUA: the customer's leg (we are its UAS), the agent legs we
/// created (we are their UAC; several while ringing all), and the relay ports.
struct BridgedCall: Sendable {
    let id: CallID
    var customer: CustomerLeg
    /// Agent legs by their own Call-ID, in the order they were created (so what the core sends
    /// for them, e.g. the CANCELs of a ring-all, comes in the same order on every run).
    var agentLegs: OrderedDictionary<String, AgentLeg> = [:]
    /// The agent leg that answered, once bridged.
    var bridgedLeg: String?
    let callerPort: Int
    let agentPort: Int
    var recorded = false
    /// The relay could not bind this call's ports: they are set aside, not handed out again.
    var mediaFaulty = false
    /// A customer re-INVITE forwarded to the agent, answered when the agent answers (hold/unhold,
    /// codec change: RFC 3264 offer/answer passed through both legs).
    var pendingReinvite: SIPMessage?
    /// Where the call stood when it entered its queue (queue_log `origposition`).
    var entryPosition = 1

    func leg(for agent: AgentID) -> (key: String, leg: AgentLeg)? {
        agentLegs.first { $0.value.agent == agent && $0.value.phase != .ended }.map { ($0.key, $0.value) }
    }

    /// Nothing left to do once the record is written and no leg is still up.
    var isFinished: Bool {
        recorded && customer.state == .ended && agentLegs.values.allSatisfy { $0.phase == .ended }
    }
}

/// The customer's leg: we are the UAS of its INVITE (RFC 3261 §13.3).
struct CustomerLeg: Sendable {
    enum State: Sendable, Equatable { case early, answered, ended }
    let invite: SIPMessage
    /// Where responses go (top Via with rport/received, RFC 3261 §18.2.2).
    let responseTarget: Endpoint
    /// Where the INVITE came from: with the NAT policy, where requests to the remote target go.
    let source: Endpoint
    let localTag: String
    /// Our dialog with the caller (we are its UAS): builds our BYE, checks the caller's CSeq.
    var dialog: Dialog
    let offer: SessionDescription
    var state: State = .early
    var sentRinging = false
    /// The agent leg whose early media (a provisional with SDP) the caller hears, if any.
    var earlyMediaLeg: String?
    /// The SDP answer given to the caller (in a 183 or the 200), kept for the whole call.
    var answer: SessionDescription?
    /// The last response sent to the INVITE, resent when the INVITE is retransmitted.
    var lastResponse: SIPMessage?
}
