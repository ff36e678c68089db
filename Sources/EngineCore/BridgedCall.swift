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
    /// The relay port of each side, once taken: the caller's when the call is accepted (a
    /// voicemail item has none), the agent's when an agent is first rung.
    var callerPort: Int?
    var agentPort: Int?
    /// The ports the call holds.
    var ports: [Int] { [callerPort, agentPort].compactMap { $0 } }
    var recorded = false
    /// The relay could not bind this call's ports: they are set aside, not handed out again.
    var mediaFaulty = false
    /// A customer re-INVITE forwarded to the agent, answered when the agent answers (hold/unhold,
    /// codec change: RFC 3264 offer/answer passed through both legs).
    var pendingReinvite: SIPMessage?
    /// Where the call stood when it entered its queue (queue_log `origposition`).
    var entryPosition = 1
    /// The caller hears its queue's media (music, announcements) until an agent answers.
    var waitingMedia: B2BUA.WaitingMedia?
    /// The caller is in a menu (IVR), not yet in a queue.
    var menu: B2BUA.MenuVisit?
    /// Menus and keys so far (`saveMenuPath`).
    var menuPath: [String] = []
    /// Keys pressed in the menus (the path holds menu names too); past `B2BUA.maxMenuKeys` they are ignored.
    var menuKeys = 0
    /// When the engine accepted the call (engine time).
    var acceptedAt: Duration = .zero
    /// The queue the call entered (its voicemail box).
    var queue = ""
    /// The caller is leaving a voicemail.
    var voicemail: B2BUA.VoicemailVisit?
    /// Whether the call's recording is paused; nil when the call is not recorded (`recordCall`).
    var recordingPaused: Bool?
    /// This is no caller's call but a voicemail message waiting for an agent (`B2BUA+VoicemailItem`).
    var message: B2BUA.MessageItem?

    func leg(for agent: AgentID) -> (key: String, leg: AgentLeg)? {
        agentLegs.first { $0.value.agent == agent && $0.value.phase != .ended }.map { ($0.key, $0.value) }
    }

    /// Nothing left to do once the record is written and no leg is still up.
    var isFinished: Bool {
        recorded && customer.phase == .ended && agentLegs.values.allSatisfy { $0.phase == .ended }
    }
}
