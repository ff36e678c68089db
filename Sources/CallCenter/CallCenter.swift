import Primitives
/// The pure routing core: events and `now` in, actions out (HOUSE_STYLE "a pure core").
///
/// No sockets, no clock reads, no tasks: the only randomness comes from a generator seeded by
/// `CallCenterConfig.seed`, so the same config, events and times give the same actions.
/// `now` is the time elapsed since an origin the driver chooses; it must not go backwards.
public struct CallCenter: Sendable {
    public internal(set) var config: CallCenterConfig

    var skillTable = SkillTable()
    var queues: [QueueRuntime] = []
    var queueByName: [String: Int] = [:]
    var agents: [AgentRecord] = []
    var agentByLogin: [AgentID: Int] = [:]
    var calls: [LiveCall?] = []
    var freeSlots: [Int] = []
    var slotByCallID: [CallID: Int] = [:]
    var index = RoutingIndex()
    var generator: SplitMix
    let clock: CalendarClock
    var usesRandomStrategy: Bool

    var nextSeq: UInt64 = 0
    var offerCounter: Int64 = 0
    var waitingTotal = 0
    /// Agents per `AgentState.ordinal`.
    var stateCounts = Array(repeating: 0, count: AgentState.names.count)
    /// Interned `_node:<node>`, required by every call on arrival.
    var nodeSkill = 0

    // Per-event scratch: the clock, the output, and work left for `settle()`.
    var now: Duration = .zero
    var output: [CallCenterAction] = []
    var pendingAgents: [Int] = []
    var pendingCalls: [Int] = []

    public init(config: CallCenterConfig) throws(CallCenterConfigError) {
        try ConfigValidation(config).run()
        self.config = config
        generator = SplitMix(seed: config.seed)
        clock = CalendarClock(
            originUnixTime: config.originUnixTime, utcOffsetSeconds: config.utcOffsetSeconds)
        usesRandomStrategy = config.queues.contains { $0.strategy == .random }

        let groupRecipes = Dictionary(
            uniqueKeysWithValues: config.queueGroups.map { ($0.name, $0.recipe) })
        for (i, queue) in config.queues.enumerated() {
            let recipe = queue.recipe + (queue.group.flatMap { groupRecipes[$0] } ?? [])
                + config.defaultRecipe
            queues.append(QueueRuntime(config: queue, recipe: recipe, kind: queue.strategy.keyKind))
            queueByName[queue.name] = i
        }
        for (i, agent) in config.agents.enumerated() {
            let (skills, all) = skillTable.expandForAgent(
                agent.skills, node: agent.node ?? config.node)
            agents.append(
                AgentRecord(
                    login: agent.login, order: agent.order, skills: skills, hasAll: all,
                    machine: AgentStateMachine(maxRingFailures: config.maxRingFailures)))
            agentByLogin[agent.login] = i
            index.addAgent(skills: skills, all: all)
        }
        stateCounts[AgentState.offline.ordinal] = agents.count
        nodeSkill = skillTable.intern("_node:" + config.node)
        for q in queues.indices {
            queues[q].skills = skillTable.expandForCall(
                queues[q].config.skills, node: config.node, queue: queues[q].name, client: nil)
                ?? CallSkillChange()
            queues[q].skillsNeedClient = queues[q].config.skills.contains { $0.name == "_brand" }
        }
    }

    // MARK: Read-only views for drivers, reports and benches

    public func agentState(_ id: AgentID) -> AgentState? {
        agentByLogin[id].map { agents[$0].machine.state }
    }

    /// Calls waiting in any queue (Queued; ringing calls are not waiting).
    public var waitingCallCount: Int { waitingTotal }

    /// The queue's waiting calls in service order: `(priority, enqueue time)`, then arrival.
    /// O(n log n); meant for reports, not the routing path.
    public func waitingCalls(inQueue name: String) -> [CallID] {
        guard let q = queueByName[name] else { return [] }
        return queues[q].members
            .map { calls[$0]! }
            .sorted { ($0.priority, $0.enqueuedAt, $0.seq) < ($1.priority, $1.enqueuedAt, $1.seq) }
            .map(\.id)
    }

    /// Logged-in and offline agents by `AgentState.name`.
    public var agentsByState: [String: Int] {
        var result: [String: Int] = [:]
        for (i, count) in stateCounts.enumerated() where count > 0 { result[AgentState.names[i]] = count }
        return result
    }

    /// Calls from arrival to their `callFinished` (waiting, ringing or active).
    public var liveCallCount: Int { slotByCallID.count }

    /// The skills a live call requires now, magic ones spelled out (`_node:node1`, `_agent:alice`,
    /// `_all`). nil for an unknown or finished call.
    public func requiredSkills(ofCall id: CallID) -> [Skill]? {
        guard let slot = slotByCallID[id], let call = calls[slot] else { return nil }
        var skills = skillTable.skills(call.skills)
        if let target = call.target { skills.append(Skill("_agent:" + target)) }
        if call.requiresAll { skills.append(Skill("_all")) }
        return skills.sorted()
    }

    /// An agent's effective skills, magic ones spelled out: `_node:<node>`, `_agent:<login>`,
    /// and `_all` when held.
    public func effectiveSkills(ofAgent id: AgentID) -> [Skill]? {
        guard let a = agentByLogin[id] else { return nil }
        var skills = skillTable.skills(agents[a].skills)
        skills.append(Skill("_agent:" + id))
        if agents[a].hasAll { skills.append(Skill("_all")) }
        return skills.sorted()
    }

    /// The call's current queue and priority, for reports and tests.
    public func callPlacement(_ id: CallID) -> (queue: String, priority: Int)? {
        guard let slot = slotByCallID[id], let call = calls[slot] else { return nil }
        return (queues[call.queue].name, call.priority)
    }
}
