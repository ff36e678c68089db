import CallCenter

/// The call center as it stands at one instant, read on the engine's loop (so it is consistent):
/// what the REST API, the wallboard and the metrics show. Times are engine time.
public struct EngineSnapshot: Sendable {
    public struct Queue: Sendable {
        public var name: String
        public var weight: Int
        /// Waiting calls (not ringing) in service order.
        public var waiting: [CallID]
        /// When the call waiting longest entered the queue.
        public var oldestWaitingSince: Duration?
        /// Asterisk's estimate: recent hold times averaged `(3 * old + new) / 4`; nil before an answer.
        public var estimatedWait: Duration?
        /// Agents whose skills cover the queue's, by `AgentState.name`.
        public var agentsByState: [String: Int]
    }

    public struct Agent: Sendable {
        public var login: AgentID
        public var state: AgentState
        public var since: Duration
        /// A release asked for during a call, applied when the call and wrap-up end.
        public var pendingRelease: ReleaseReason?
        public var registered: Bool
        /// Calls answered since the engine started.
        public var callsAnswered: Int
    }

    public struct Leg: Sendable {
        public var agent: AgentID
        /// calling, cancelling, answered, ended
        public var state: String
        public var startedAt: Duration
    }

    public struct Call: Sendable {
        /// The routing core's view, its times converted to engine time.
        public var view: CallCenter.CallView
        /// The caller's leg: early (not answered), answered, ended.
        public var callerLeg: String
        public var agentLegs: [Leg]
    }

    public var now: Duration
    public var draining: Bool
    public var queues: [Queue]
    public var agents: [Agent]
    public var calls: [Call]

    public func call(_ id: CallID) -> Call? { calls.first { $0.view.id == id } }
    public func agent(_ login: AgentID) -> Agent? { agents.first { $0.login == login } }
    public func queue(_ name: String) -> Queue? { queues.first { $0.name == name } }
}
