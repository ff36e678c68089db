/// Read-only views of the core for operators (the engine's REST API and wallboard): what each
/// queue holds, in service order, and where every live call stands. O(calls); meant for a
/// snapshot a few times a second, not for the routing path.
extension CallCenter {
    /// One live call as an operator sees it. Times are routing time (the core's `now`).
    public struct CallView: Sendable, Equatable {
        public enum Stage: String, Sendable { case waiting, ringing, answered, ending }
        public var id: CallID
        public var queue: String
        public var originalQueue: String
        public var caller: CallerInfo
        public var priority: Int
        public var stage: Stage
        /// Agents ringing now (several with ring-all), or the one on the call.
        public var agents: [AgentID]
        public var enqueuedAt: Duration
        public var queueEnteredAt: Duration
        public var firstRingAt: Duration?
        public var answeredAt: Duration?
        /// Delivery rounds so far (Queued -> AgentRinging).
        public var attempts: Int
        /// Recipe ticks that have fired (the recipe's progress).
        public var recipeTicks: Int
        /// What the call requires now, magic skills spelled out.
        public var skills: [Skill]
    }

    /// Every live call, oldest first.
    public var liveCalls: [CallView] {
        slotByCallID.values.compactMap { calls[$0] }
            .sorted { ($0.enqueuedAt, $0.seq) < ($1.enqueuedAt, $1.seq) }
            .map(view)
    }

    public func liveCall(_ id: CallID) -> CallView? {
        slotByCallID[id].flatMap { calls[$0] }.map(view)
    }

    /// The queue's calls waiting for an agent (not ringing), in service order.
    public func waitingCallViews(inQueue name: String) -> [CallView] {
        waitingCalls(inQueue: name).compactMap(liveCall)
    }

    /// Calls waiting in the queue (not ringing). O(1).
    public func waitingCount(inQueue name: String) -> Int {
        queueByName[name].map { queues[$0].members.count } ?? 0
    }

    /// When the call waiting longest in the queue entered it (routing time). O(calls waiting there).
    public func oldestWaitingSince(inQueue name: String) -> Duration? {
        guard let q = queueByName[name] else { return nil }
        return queues[q].members.lazy.map { self.calls[$0]!.queueEnteredAt }.min()
    }

    /// Waiting calls in the queue that arrived before `time` (routing time): where a call that
    /// arrived then would stand, less one. O(calls waiting in the queue).
    public func waitingAhead(inQueue name: String, enqueuedBefore time: Duration) -> Int {
        guard let q = queueByName[name] else { return 0 }
        return queues[q].members.reduce(0) { $0 + (calls[$1]!.enqueuedAt < time ? 1 : 0) }
    }

    /// Configured queues in order (not those a reload removed).
    public var queueNames: [String] { queues.indices.filter { queueByName[queues[$0].name] == $0 }.map { queues[$0].name } }

    public func queueWeight(_ name: String) -> Int? {
        queueByName[name].map { queues[$0].config.weight }
    }

    /// How many agents are configured (a reload may add or retire some). Counted, not listed.
    public var agentCount: Int { agentByLogin.count }

    /// Agents in configuration order with their state.
    public var agentStates: [(agent: AgentID, state: AgentState)] {
        agents.filter { !$0.retired }.map { ($0.login, $0.machine.state) }
    }

    /// Agents whose skills cover what the queue itself requires (a call's own skills may ask
    /// more): the agents a wallboard counts for the queue.
    public func agentsServing(queue name: String) -> [AgentID] {
        guard let q = queueByName[name] else { return [] }
        let need = queues[q].skills
        return agents.filter { a in
            !a.retired && (need.skills.isSubset(of: a.skills) || a.hasAll) && (need.target == nil || need.target == a.login) && (!need.all || a.hasAll)
        }.map(\.login)
    }

    /// Calls the agent answered since the core started.
    public func callsAnswered(by id: AgentID) -> Int {
        agentByLogin[id].map { Int(agents[$0].callsAnswered) } ?? 0
    }

    /// A release asked for while the agent is on a call or in wrap-up, applied when that ends.
    public func pendingRelease(of id: AgentID) -> ReleaseReason? {
        agentByLogin[id].flatMap { agents[$0].machine.pendingRelease }
    }

    private func view(_ c: LiveCall) -> CallView {
        let stage: CallView.Stage
        var agentIndices: [Int] = []
        switch c.machine.state {
        case .queued: stage = .waiting
        case .agentRinging(let legs): stage = .ringing; agentIndices = legs
        case .active(let a): stage = .answered; agentIndices = [a]
        case .terminating: stage = .ending
        }
        return CallView(
            id: c.id, queue: queues[c.queue].name, originalQueue: queues[c.originalQueue].name, caller: c.caller,
            priority: c.priority, stage: stage, agents: agentIndices.map { agents[$0].login },
            enqueuedAt: c.enqueuedAt, queueEnteredAt: c.queueEnteredAt, firstRingAt: c.firstRingAt,
            answeredAt: c.answeredAt, attempts: c.attempts, recipeTicks: c.nextTick - 1,
            skills: requiredSkills(ofCall: c.id) ?? [])
    }

    /// Changes a queue's share of the dispatcher's attention (`weight * calls waiting`) from now
    /// on. Returns false for an unknown queue or a weight below 1 (nothing changes).
    public mutating func setWeight(_ weight: Int, ofQueue name: String) -> Bool {
        guard weight > 0, let q = queueByName[name] else { return false }
        queues[q].config.weight = weight
        return true
    }
}
