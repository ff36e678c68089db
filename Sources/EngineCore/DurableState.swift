import SIP
import CallCenter

/// What the engine keeps across restarts (Kamailio's usrloc in db_mode, Asterisk's astdb):
/// agents' registrations, release reasons and wrap-ups. The driver stores it as it changes
/// (`EngineAction.saveBindings`, `.saveAgentState`) and hands it back at start (`EngineEvent.start`),
/// so a restarted engine rings agents whose phones registered before, without a new REGISTER.
public struct DurableState: Sendable, Equatable {
    public var bindings: [AgentID: [Registrar.Binding]]
    /// Agents that were released, with the reason; every other logged-in agent comes back available.
    public var released: [AgentID: ReleaseReason]
    /// Voicemail messages no agent has taken yet, oldest first: queued again at start.
    public var voicemails: [VoicemailMessage]
    /// Agents that were in wrap-up, with its end on this run's clock: they go back to it until then.
    public var wrapUps: [AgentID: Duration]

    public init(bindings: [AgentID: [Registrar.Binding]] = [:], released: [AgentID: ReleaseReason] = [:],
                voicemails: [VoicemailMessage] = [], wrapUps: [AgentID: Duration] = [:]) {
        self.bindings = bindings
        self.released = released
        self.voicemails = voicemails
        self.wrapUps = wrapUps
    }

    public static let empty = DurableState()
}
