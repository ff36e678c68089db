import CallCenter

/// Something that happened to a call or an agent that operators follow: written to the
/// queue_log, streamed to API clients, counted in metrics. Emitted by the core as
/// `EngineAction.notify`, in the order things happened; times are engine time.
public struct OperationsEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The call entered `queue` at `position` (1 = next to be served).
        case callQueued(CallID, queue: String, caller: CallerInfo, position: Int)
        /// An agent's phone is ringing with the call.
        case callOffered(CallID, queue: String, agent: AgentID)
        /// The agent let the call ring out or refused it; the call goes on waiting.
        case ringNoAnswer(CallID, queue: String, agent: AgentID, ringTime: Duration)
        /// The agent answered: the call is bridged after `holdTime` waiting, `ringTime` of it ringing.
        /// `agentLeg` is the Call-ID of the agent leg that answered.
        case callAnswered(CallID, queue: String, agent: AgentID, agentLeg: String, holdTime: Duration, ringTime: Duration)
        /// The call's record (engine time). `position` is where an unanswered call stood when it
        /// left its queue, `originalPosition` where it entered.
        case callEnded(CallRecord, position: Int, originalPosition: Int)
        case agentStateChanged(AgentID, from: AgentState, to: AgentState)
        /// A queue's live figures changed (published by the driver at most once a second per queue).
        case queueFigures(QueueFigures)
    }

    /// What a wallboard shows for a queue.
    public struct QueueFigures: Sendable, Equatable {
        public var queue: String
        public var waiting: Int
        /// When the call waiting longest entered the queue (engine time).
        public var oldestWaitingSince: Duration?
        public var agentsByState: [String: Int]

        public init(queue: String, waiting: Int, oldestWaitingSince: Duration?, agentsByState: [String: Int]) {
            self.queue = queue
            self.waiting = waiting
            self.oldestWaitingSince = oldestWaitingSince
            self.agentsByState = agentsByState
        }
    }

    public var at: Duration
    public var kind: Kind

    public init(at: Duration, _ kind: Kind) {
        self.at = at
        self.kind = kind
    }
}
