import Primitives
import CallCenter

/// A call center of one grid point's shape, driven by the bench (HOUSE_STYLE: the core is pure,
/// so the bench is just another driver feeding events with a virtual `now`).
///
/// Agents hold 1-4 random skills, the first always one that a queue requires, so every agent
/// can serve at least one queue. Calls arrive in a queue picked through a random agent's skills,
/// so call demand follows agent coverage. Wrap-up is one hour of virtual time and its timer
/// is never fired: an agent leaves wrap-up only when the bench sends `wrapUpDone`, which is
/// how decision (b) makes one chosen agent available at a chosen moment.
struct RoutingScenario {
    let point: RoutingGridPoint
    var core: CallCenter
    var random: SplitMix
    /// Per agent, the queue names it can serve.
    let queuesOfAgent: [[String]]
    let logins: [AgentID]
    var now: Duration = .zero
    var nextCall = 0
    static let caller = CallerInfo(id: "bench")
    /// A queue no agent can serve: in decision (a) the waiting calls park here, since after the
    /// core settles an available agent and a waiting call it could take never coexist.
    static let parkingQueue = "parked"

    init(point: RoutingGridPoint, seed: UInt64) throws {
        self.point = point
        var random = SplitMix(seed: seed)
        var agents: [AgentConfig] = []
        var queuesOfAgent: [[String]] = []
        agents.reserveCapacity(point.agents)
        for i in 0..<point.agents {
            var picked: Set<Int> = [Int.random(in: 0..<point.queues, using: &random)]
            let size = Int.random(in: 1...min(4, point.skills), using: &random)
            while picked.count < size { picked.insert(Int.random(in: 0..<point.skills, using: &random)) }
            let sorted = picked.sorted()
            agents.append(AgentConfig(login: "agent\(i)", skills: sorted.map { Skill("s\($0)") }))
            queuesOfAgent.append(sorted.filter { $0 < point.queues }.map { "q\($0)" })
        }
        var queues = (0..<point.queues).map { QueueConfig(name: "q\($0)", skills: [Skill("s\($0)")]) }
        queues.append(QueueConfig(name: Self.parkingQueue, skills: [Skill("unstaffed")]))
        let config = CallCenterConfig(
            wrapUpTime: .seconds(3600), seed: seed, callsRequireNode: false, defaultRecipe: [],
            queues: queues, agents: agents)
        core = try CallCenter(config: config)
        self.random = random
        self.queuesOfAgent = queuesOfAgent
        logins = agents.map(\.login)
    }

    mutating func send(_ event: CallCenterEvent) -> [CallCenterAction] {
        now += .microseconds(100)
        return core.handle(event, now: now)
    }

    mutating func newCallID() -> CallID {
        nextCall += 1
        return "call\(nextCall)"
    }

    /// A queue served by a random agent (or by `agent`).
    mutating func randomQueue(servedBy agent: Int? = nil) -> String {
        let a = agent ?? Int.random(in: 0..<logins.count, using: &random)
        return queuesOfAgent[a].randomElement(using: &random)!
    }

    static func arrival(_ id: CallID, queue: String) -> CallCenterEvent {
        .callArrived(id, queue: queue, caller: caller, media: .voice, priority: 1)
    }

    static func ring(in actions: [CallCenterAction]) -> (CallID, AgentID)? {
        for action in actions {
            if case .ringAgent(let call, let agent) = action { return (call, agent) }
        }
        return nil
    }

    /// Logs every agent in while no call exists, so all are available.
    mutating func logInEveryone() {
        for login in logins { _ = send(.agentLoggedIn(login)) }
    }
}
