/// One shape of call center the routing bench measures.
public struct RoutingGridPoint: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Agents configured and logged in.
    public var agents: Int
    /// Distinct skills; each agent holds a random 1-4 of them.
    public var skills: Int
    /// Calls waiting in queues while decisions are measured.
    public var waitingCalls: Int
    /// Queues; queue `i` requires skill `i`, so this is at most `skills`.
    public var queues: Int

    public init(agents: Int, skills: Int, waitingCalls: Int, queues: Int? = nil) {
        self.agents = max(1, agents)
        self.skills = max(1, skills)
        self.waitingCalls = max(0, waitingCalls)
        self.queues = min(max(1, queues ?? skills), self.skills)
    }

    public var description: String {
        "agents=\(agents) skills=\(skills) waiting=\(waitingCalls) queues=\(queues)"
    }

    /// The full grid: agents {100, 1000, 10000} x skills {10, 200} x waiting {100, 10000}, every
    /// combination (12 points), one queue per skill. The target point is
    /// (10000, 200, 10000). Every combination is cheap enough to keep (< 60 s in release).
    public static let defaultGrid: [RoutingGridPoint] = {
        var grid: [RoutingGridPoint] = []
        for skills in [10, 200] {
            for waiting in [100, 10_000] {
                for agents in [100, 1_000, 10_000] {
                    grid.append(RoutingGridPoint(agents: agents, skills: skills, waitingCalls: waiting))
                }
            }
        }
        return grid
    }()

    /// Two small points, enough to compute a growth ratio in tests.
    public static let quickGrid: [RoutingGridPoint] = [
        RoutingGridPoint(agents: 100, skills: 10, waitingCalls: 100),
        RoutingGridPoint(agents: 1_000, skills: 10, waitingCalls: 100),
    ]
}
