/// Reloading the routing configuration into a running core without dropping a call: queues and
/// agents are added, changed or removed in place, so waiting, ringing and bridged calls keep
/// their queue, agent, recipe and timers; a changed recipe or queue applies to calls that arrive
/// (or move into the queue) afterwards. What cannot change under live calls is refused, and a
/// refused reload changes nothing.
extension CallCenter {
    /// What a reload changed.
    public struct Reconfiguration: Sendable, Equatable, CustomStringConvertible {
        public var queuesAdded: [String] = []
        public var queuesChanged: [String] = []
        public var queuesRemoved: [String] = []
        public var agentsAdded: [String] = []
        public var agentsChanged: [String] = []
        public var agentsRemoved: [String] = []
        public var settingsChanged = false

        public var description: String {
            var parts: [String] = []
            for (what, names) in [("queues added", queuesAdded), ("queues changed", queuesChanged), ("queues removed", queuesRemoved),
                                  ("agents added", agentsAdded), ("agents changed", agentsChanged), ("agents removed", agentsRemoved)]
            where !names.isEmpty {
                parts.append("\(what): \(names.joined(separator: ", "))")
            }
            if settingsChanged { parts.append("routing settings changed") }
            return parts.isEmpty ? "nothing changed" : parts.joined(separator: "; ")
        }
    }

    /// Why a reload was refused: the new configuration is invalid, or it changes what the live
    /// calls and agents depend on. Names the queue, agent or setting, and what to do.
    public struct ReconfigureRefusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public mutating func reconfigure(_ new: CallCenterConfig) throws(ReconfigureRefusal) -> Reconfiguration {
        do { try ConfigValidation(new).run() } catch { throw ReconfigureRefusal(description: error.description) }
        func refuse(_ text: String) -> ReconfigureRefusal { ReconfigureRefusal(description: text) }
        for (name, same) in [("routing.node", new.node == config.node), ("routing.seed", new.seed == config.seed),
                             ("routing.dispatch", new.dispatch == config.dispatch), ("routing.calls_require_node", new.callsRequireNode == config.callsRequireNode),
                             ("routing.utc_offset", new.utcOffsetSeconds == config.utcOffsetSeconds)] where !same {
            throw refuse("\(name) cannot change while the engine runs; restart the engine to change it")
        }
        var change = Reconfiguration()
        let newQueues = Set(new.queues.map(\.name))
        let newAgents = Dictionary(uniqueKeysWithValues: new.agents.map { ($0.login, $0) })
        let oldAgents = Dictionary(uniqueKeysWithValues: config.agents.map { ($0.login, $0) })
        // Check everything first: a refusal must change nothing.
        let live = slotByCallID.values.compactMap { calls[$0] }
        for (name, q) in queueByName.sorted(by: { $0.key < $1.key }) where !newQueues.contains(name) {
            if live.contains(where: { $0.queue == q || $0.originalQueue == q }) {
                throw refuse("queue '\(name)' has calls in progress; remove it after they end (or move them with a recipe)")
            }
        }
        for queue in new.queues {
            if let q = queueByName[queue.name], queues[q].config.strategy != queue.strategy {
                throw refuse("queue '\(queue.name)': strategy cannot change while the engine runs (\(queues[q].config.strategy.rawValue) -> \(queue.strategy.rawValue)); restart to change it")
            }
        }
        for (login, a) in agentByLogin.sorted(by: { $0.key < $1.key }) where newAgents[login] != oldAgents[login] {
            let state = agents[a].machine.state
            guard state == .offline else {
                let what = newAgents[login] == nil ? "removed" : "redefined (skills, order or node)"
                throw refuse("agent '\(login)' is \(state.name) and cannot be \(what) while logged in; log the agent out and reload again")
            }
        }

        // Global settings: timers already armed keep their deadlines.
        change.settingsChanged = new.tickLength != config.tickLength || new.ringTimeout != config.ringTimeout || new.wrapUpTime != config.wrapUpTime
            || new.maxRingFailures != config.maxRingFailures || new.requeuePriorityBump != config.requeuePriorityBump
            || new.maxAttempts != config.maxAttempts || new.retryBackoff != config.retryBackoff || new.defaultRecipe != config.defaultRecipe

        // Queues: removed ones leave the name table (their runtime stays, empty, so indices hold).
        for (name, _) in queueByName where !newQueues.contains(name) {
            queueByName[name] = nil
            change.queuesRemoved.append(name)
        }
        let groupRecipes = Dictionary(uniqueKeysWithValues: new.queueGroups.map { ($0.name, $0.recipe) })
        for queue in new.queues {
            let recipe = queue.recipe + (queue.group.flatMap { groupRecipes[$0] } ?? []) + new.defaultRecipe
            var runtime = QueueRuntime(config: queue, recipe: recipe, kind: queue.strategy.keyKind)
            runtime.skills = skillTable.expandForCall(queue.skills, node: new.node, queue: queue.name, client: nil) ?? CallSkillChange()
            runtime.skillsNeedClient = queue.skills.contains { $0.name == "_brand" }
            if let q = queueByName[queue.name] {
                guard queues[q].config != queue || queues[q].recipe != recipe else { continue }
                runtime.members = queues[q].members
                runtime.currentWeight = queues[q].currentWeight
                queues[q] = runtime
                change.queuesChanged.append(queue.name)
            } else {
                queueByName[queue.name] = queues.count
                queues.append(runtime)
                change.queuesAdded.append(queue.name)
            }
        }

        // Agents: a removed or redefined (offline) agent's record retires; a new record takes the login.
        for (login, a) in agentByLogin where newAgents[login] != oldAgents[login] {
            agents[a].retired = true
            agentByLogin[login] = nil
            stateCounts[AgentState.offline.ordinal] -= 1
            if newAgents[login] == nil { change.agentsRemoved.append(login) }
        }
        for agent in new.agents where agentByLogin[agent.login] == nil {
            let (skills, all) = skillTable.expandForAgent(agent.skills, node: agent.node ?? new.node)
            agentByLogin[agent.login] = agents.count
            agents.append(AgentRecord(login: agent.login, order: agent.order, skills: skills, hasAll: all,
                                      machine: AgentStateMachine(maxRingFailures: new.maxRingFailures)))
            index.addAgent(skills: skills, all: all)
            stateCounts[AgentState.offline.ordinal] += 1
            if oldAgents[agent.login] == nil { change.agentsAdded.append(agent.login) } else { change.agentsChanged.append(agent.login) }
        }
        var next = new
        next.originUnixTime = config.originUnixTime
        config = next
        usesRandomStrategy = usesRandomStrategy || new.queues.contains { $0.strategy == .random }
        for k in [\Reconfiguration.queuesAdded, \.queuesChanged, \.queuesRemoved, \.agentsAdded, \.agentsChanged, \.agentsRemoved] {
            change[keyPath: k].sort()
        }
        return change
    }
}
