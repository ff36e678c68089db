import CallCenter

/// What other services (the REST API, an agent's phone by SIP MESSAGE) ask of the core. Fed in
/// as `EngineEvent.control` on the engine's loop, like every other event, and answered by one
/// `EngineAction.controlOutcome`: the one way into the core from outside SIP signalling.
public enum ControlCommand: Sendable, Equatable {
    /// Back from a break, out of wrap-up, or logged in again after `logOut` (needs a registered phone).
    case makeAvailable(AgentID)
    /// On a break with a reason code; during a call or wrap-up it applies when those end.
    case release(AgentID, ReleaseReason)
    /// Offline: no calls offered; a ringing call goes back to its queue, a call in progress ends.
    case logOut(AgentID)
    /// Ends the agent's wrap-up; `notes` are saved with the call it follows.
    case wrapUpDone(AgentID, notes: String?)
    /// Ends a live call (waiting, ringing or bridged), recorded with reason `operator-hangup`.
    case hangUp(CallID)
    /// Pauses (true) or resumes (false) a recorded call's recording: the paused stretch is
    /// silence in the file (e.g. while the caller reads out a card number, PCI DSS).
    case pauseRecording(CallID, Bool)
    /// The queue's share of the dispatcher (`weight * calls waiting`) from now on.
    case setQueueWeight(queue: String, weight: Int)
    /// Queues, agents, recipes and strategies from a reloaded configuration file, applied without
    /// dropping a call (`CallCenter.reconfigure`); a refusal changes nothing.
    case reload(RoutingReload)
}

/// The reloadable part of the configuration.
public struct RoutingReload: Sendable, Equatable {
    public var routing: CallCenterConfig
    public var accounts: [AgentAccount]

    public init(routing: CallCenterConfig, accounts: [AgentAccount]) {
        self.routing = routing
        self.accounts = accounts
    }
}

/// How the core answered a `ControlCommand`.
public enum ControlOutcome: Sendable, Equatable {
    /// Carried out; the text says what changed (e.g. that a release waits for the call's end).
    case done(String)
    case refused(ControlRefusal)
}

/// Why a command was refused. Nothing changed.
public struct ControlRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The agent, queue or call does not exist (HTTP 404).
        case notFound
        /// The agent's or call's state forbids it now (HTTP 409), e.g. available while on a call.
        case conflict
        /// A value out of range (HTTP 422).
        case invalid
    }
    public var kind: Kind
    /// The input the refusal is about (`agent`, `queue`, `call`, `weight`, `state`).
    public var field: String
    public var detail: String

    public init(_ kind: Kind, field: String, _ detail: String) {
        self.kind = kind
        self.field = field
        self.detail = detail
    }

    public var description: String { detail }
}
