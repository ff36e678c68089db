import Primitives
/// Agents with an identical skill signature. Agents' skills are fixed by config, so groups are
/// built once at init and an agent never changes group.
struct AgentGroup: Sendable {
    let skills: SkillSet
    let all: Bool
    var members: [Int32] = []
    /// Requirement classes this group can serve (grows as new classes appear).
    var classes: [Int32] = []
}

struct AgentGroupKey: Hashable, Sendable {
    var skills: SkillSet
    var all: Bool
}

/// What a call requires, as a hashable key: its skill bits, `_all`, and an `_agent` target.
struct RequirementKey: Hashable, Sendable {
    static let noTarget: Int32 = -1
    static let unknownTarget: Int32 = -2

    var skills: SkillSet
    var all: Bool
    /// Agent index, `noTarget`, or `unknownTarget` (an `_agent:` login not in config).
    var target: Int32
}

/// All calls with one `RequirementKey`, and the available agents able to take them.
struct RequirementClass: Sendable {
    let key: RequirementKey
    /// Agent groups whose skills cover the key.
    var groups: [Int32] = []
    /// Live counts (exact) for recipe conditions `available_agents` / `eligible_agents`.
    var available = 0
    var loggedIn = 0
    /// One heap per `AgentKeyKind` in use by a queue holding such calls; built on first use.
    var agentHeaps: [BinaryHeap<AgentEntry>?] = Array(repeating: nil, count: AgentKeyKind.allCases.count)
    /// Waiting calls of this class, one heap per queue they wait in.
    var waiting: [QueueWaiting] = []
    var waitingCount = 0

    init(key: RequirementKey) {
        self.key = key
    }

    func accepts(_ agent: Int32) -> Bool {
        key.target < 0 || key.target == agent
    }
}

struct QueueWaiting: Sendable {
    let queue: Int32
    var heap = BinaryHeap<CallKey>()
    var live = 0
}

/// The routing indexes (see `Dispatcher.swift` for the design). Pure bookkeeping: the caller
/// decides who rings; this answers "who is best" in O(log n).
struct RoutingIndex: Sendable {
    private(set) var groups: [AgentGroup] = []
    private var groupByKey: [AgentGroupKey: Int32] = [:]
    var classes: [RequirementClass] = []
    private var classByKey: [RequirementKey: Int32] = [:]

    private(set) var agentGroup: [Int32] = []
    /// Non-zero while the agent is available; heap entries with another token are stale.
    private var agentToken: [UInt64] = []
    /// The token the agent's entries were pushed with (0 = not in heaps yet).
    private var agentPublished: [UInt64] = []
    private var agentLoggedIn: [Bool] = []
    private var agentKeys: [AgentKeys] = []
    var nextToken: UInt64 = 1

    // Call side, indexed by call slot (see WaitingCalls.swift).
    var callToken: [UInt64] = []
    var callClass: [Int32] = []
    var callWaiting: [Int32] = []
    var backoff: [[Backoff]] = []

    mutating func addAgent(skills: SkillSet, all: Bool) {
        let key = AgentGroupKey(skills: skills, all: all)
        let agent = Int32(agentGroup.count)
        let group: Int32
        if let existing = groupByKey[key] {
            group = existing
        } else {
            group = Int32(groups.count)
            groups.append(AgentGroup(skills: skills, all: all))
            groupByKey[key] = group
            // An agent added by a reload: its new group serves the classes that exist already
            // (those targeting one agent target an older agent, in another group).
            for c in classes.indices where classes[c].key.target == RequirementKey.noTarget {
                let k = classes[c].key
                guard k.all || all || k.skills.isSubset(of: skills) else { continue }
                classes[c].groups.append(group)
                groups[Int(group)].classes.append(Int32(c))
            }
        }
        groups[Int(group)].members.append(agent)
        agentGroup.append(group)
        agentToken.append(0)
        agentPublished.append(0)
        agentLoggedIn.append(false)
        agentKeys.append(AgentKeys())
    }

    func isAvailable(_ agent: Int) -> Bool { agentToken[agent] != 0 }

    /// The class for `key`, created on first sight: one pass over the groups, O(groups x words).
    mutating func classIndex(for key: RequirementKey) -> Int32 {
        if let c = classByKey[key] { return c }
        let c = Int32(classes.count)
        var cls = RequirementClass(key: key)
        if key.target != RequirementKey.unknownTarget {
            for g in groups.indices {
                let group = groups[g]
                guard key.all || group.all || key.skills.isSubset(of: group.skills) else { continue }
                if key.target >= 0 && agentGroup[Int(key.target)] != Int32(g) { continue }
                cls.groups.append(Int32(g))
                groups[g].classes.append(c)
                for a in group.members where cls.accepts(a) {
                    if agentLoggedIn[Int(a)] { cls.loggedIn += 1 }
                    if agentToken[Int(a)] != 0 { cls.available += 1 }
                }
            }
        }
        classes.append(cls)
        classByKey[key] = c
        return c
    }

    mutating func setLoggedIn(_ agent: Int, _ loggedIn: Bool) {
        guard agentLoggedIn[agent] != loggedIn else { return }
        agentLoggedIn[agent] = loggedIn
        let a = Int32(agent)
        for c in groups[Int(agentGroup[agent])].classes where classes[Int(c)].accepts(a) {
            classes[Int(c)].loggedIn += loggedIn ? 1 : -1
        }
    }

    /// Counts the agent as available now; its heap entries follow in `publish`.
    mutating func setAvailable(_ agent: Int, keys: AgentKeys) {
        guard agentToken[agent] == 0 else { return }
        agentToken[agent] = nextToken
        nextToken += 1
        agentKeys[agent] = keys
        let a = Int32(agent)
        for c in groups[Int(agentGroup[agent])].classes where classes[Int(c)].accepts(a) {
            classes[Int(c)].available += 1
        }
    }

    /// Entries already in heaps go stale by token; counts drop now.
    mutating func setUnavailable(_ agent: Int) {
        guard agentToken[agent] != 0 else { return }
        agentToken[agent] = 0
        agentPublished[agent] = 0
        let a = Int32(agent)
        for c in groups[Int(agentGroup[agent])].classes where classes[Int(c)].accepts(a) {
            classes[Int(c)].available -= 1
        }
    }

    /// Pushes an available agent into the agent heaps of every class it can serve:
    /// O(classes of its group x log n).
    mutating func publish(_ agent: Int) {
        let token = agentToken[agent]
        guard token != 0, agentPublished[agent] != token else { return }
        agentPublished[agent] = token
        let a = Int32(agent)
        let keys = agentKeys[agent]
        for c in groups[Int(agentGroup[agent])].classes where classes[Int(c)].accepts(a) {
            let ci = Int(c)
            for kind in AgentKeyKind.allCases where classes[ci].agentHeaps[kind.rawValue] != nil {
                let (k1, k2) = keys.key(kind)
                classes[ci].agentHeaps[kind.rawValue]!.insert(
                    AgentEntry(k1: k1, k2: k2, agent: a, token: token))
                compactAgentHeap(ci, kind)
            }
        }
    }

    private func isCurrent(_ entry: AgentEntry) -> Bool {
        agentToken[Int(entry.agent)] == entry.token
    }

    /// Lazy deletion keeps pushes and pops O(log n); this bounds the stale part to about half.
    private mutating func compactAgentHeap(_ c: Int, _ kind: AgentKeyKind) {
        let count = classes[c].agentHeaps[kind.rawValue]!.count
        guard count > 2 * classes[c].available + 32 else { return }
        let tokens = agentToken
        classes[c].agentHeaps[kind.rawValue]!.filter { tokens[Int($0.agent)] == $0.token }
    }

    /// Builds the class's heap for `kind` from the published agents of its groups (first use).
    private mutating func ensureHeap(_ c: Int, _ kind: AgentKeyKind) {
        guard classes[c].agentHeaps[kind.rawValue] == nil else { return }
        var entries: [AgentEntry] = []
        for g in classes[c].groups {
            for a in groups[Int(g)].members where classes[c].accepts(a) {
                let token = agentToken[Int(a)]
                guard token != 0, agentPublished[Int(a)] == token else { continue }
                let (k1, k2) = agentKeys[Int(a)].key(kind)
                entries.append(AgentEntry(k1: k1, k2: k2, agent: a, token: token))
            }
        }
        classes[c].agentHeaps[kind.rawValue] = BinaryHeap(entries)
    }

    /// The best available agent for a call of class `c` by `kind`, skipping agents the call is
    /// backing off from. `blockedUntil` is the earliest backoff expiry among skipped agents, so
    /// the caller can arm a retry. O(log n) plus O(log n) per skipped agent.
    mutating func bestAgent(
        class c: Int, kind: AgentKeyKind, forCall slot: Int, now: Duration
    ) -> (agent: Int?, blockedUntil: Duration?) {
        guard classes[c].available > 0 else { return (nil, nil) }
        ensureHeap(c, kind)
        var aside: [AgentEntry] = []
        var blocked: Duration?
        var found: Int?
        while let top = classes[c].agentHeaps[kind.rawValue]!.min {
            guard isCurrent(top) else {
                classes[c].agentHeaps[kind.rawValue]!.popMin()
                continue
            }
            if let until = backoffUntil(slot: slot, agent: Int(top.agent), now: now) {
                blocked = min(blocked ?? until, until)
                aside.append(classes[c].agentHeaps[kind.rawValue]!.popMin()!)
                continue
            }
            found = Int(top.agent)
            break
        }
        for entry in aside { classes[c].agentHeaps[kind.rawValue]!.insert(entry) }
        return (found, blocked)
    }

    /// Every available agent for the call (ring-all), longest idle first. O(heap size).
    mutating func allAgents(
        class c: Int, forCall slot: Int, now: Duration
    ) -> (agents: [Int], blockedUntil: Duration?) {
        guard classes[c].available > 0 else { return ([], nil) }
        let kind = AgentKeyKind.idle
        ensureHeap(c, kind)
        let tokens = agentToken
        classes[c].agentHeaps[kind.rawValue]!.filter { tokens[Int($0.agent)] == $0.token }
        var blocked: Duration?
        var agents: [AgentEntry] = []
        for entry in classes[c].agentHeaps[kind.rawValue]!.elements {
            if let until = backoffUntil(slot: slot, agent: Int(entry.agent), now: now) {
                blocked = min(blocked ?? until, until)
            } else {
                agents.append(entry)
            }
        }
        return (agents.sorted().map { Int($0.agent) }, blocked)
    }
}
