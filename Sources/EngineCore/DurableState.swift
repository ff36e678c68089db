import SIP
import CallCenter

/// What the engine keeps across restarts (Kamailio's usrloc in db_mode, Asterisk's astdb):
/// agents' registrations and release reasons. The driver stores it as it changes
/// (`EngineAction.saveBindings`, `.saveAgentState`) and hands it back at start (`EngineEvent.start`),
/// so a restarted engine rings agents whose phones registered before, without a new REGISTER.
public struct DurableState: Sendable, Equatable {
    public var bindings: [AgentID: [Registrar.Binding]]
    /// Agents that were released, with the reason; every other logged-in agent comes back available.
    public var released: [AgentID: ReleaseReason]
    /// Voicemail messages no agent has taken yet, oldest first: queued again at start.
    public var voicemails: [VoicemailMessage]

    public init(bindings: [AgentID: [Registrar.Binding]] = [:], released: [AgentID: ReleaseReason] = [:],
                voicemails: [VoicemailMessage] = []) {
        self.bindings = bindings
        self.released = released
        self.voicemails = voicemails
    }

    public static let empty = DurableState()
}
