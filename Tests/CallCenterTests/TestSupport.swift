@testable import CallCenter

/// Builds a core from a few queues and agents; `configure` tweaks the rest.
func makeCenter(
    queues: [QueueConfig] = [QueueConfig(name: "support")],
    agents: [AgentConfig],
    configure: (inout CallCenterConfig) -> Void = { _ in }
) throws -> CallCenter {
    var config = CallCenterConfig(queues: queues, agents: agents)
    configure(&config)
    return try CallCenter(config: config)
}

func agent(_ login: String, _ skills: [String] = [], order: Int = 0, node: String? = nil) -> AgentConfig {
    AgentConfig(login: login, skills: skills.map { Skill($0) }, order: order, node: node)
}

extension CallCenter {
    /// `callArrived` with the drivers' default priority 1.
    @discardableResult
    mutating func arrive(
        _ id: CallID, queue: String = "support", priority: Int = 1, client: String? = nil,
        callerID: String = "1000", name: String = "", media: MediaType = .voice,
        skills: [String] = [], at now: Duration
    ) -> [CallCenterAction] {
        let caller = CallerInfo(id: callerID, name: name, client: client)
        if skills.isEmpty {
            return handle(
                .callArrived(id, queue: queue, caller: caller, media: media, priority: priority), now: now)
        }
        return handle(
            .callArrivedWithSkills(
                id, queue: queue, caller: caller, media: media, priority: priority,
                skills: skills.map { Skill($0) }),
            now: now)
    }

    @discardableResult
    mutating func login(_ agents: String..., at now: Duration = .zero) -> [CallCenterAction] {
        agents.flatMap { handle(.agentLoggedIn($0), now: now) }
    }
}

extension Array where Element == CallCenterAction {
    var rings: [String] {
        compactMap { if case .ringAgent(let c, let a) = $0 { "\(c)->\(a)" } else { nil } }
    }

    var cancels: [String] {
        compactMap { if case .cancelRing(let c, let a) = $0 { "\(c)->\(a)" } else { nil } }
    }

    var records: [CallRecord] {
        compactMap { if case .callFinished(let r) = $0 { r } else { nil } }
    }

    func startedTimer(_ id: TimerID) -> Duration? {
        for case .startTimer(let t, let at) in self where t == id { return at }
        return nil
    }
}

/// The tests' own seeded generator (xorshift64*), so property runs replay.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}
