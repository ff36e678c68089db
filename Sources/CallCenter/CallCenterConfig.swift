/// Everything the core needs to know up front. Validated by `CallCenter.init(config:)`.
public struct CallCenterConfig: Sendable, Equatable {
    /// Expansion of `_node`.
    public var node: String
    /// Recipe tick (seed: 10 s; later OpenACD code 1 s).
    public var tickLength: Duration
    /// OpenACD ringout default: 60 s.
    public var ringTimeout: Duration
    /// Zero: the agent is available right after the call.
    public var wrapUpTime: Duration
    /// Consecutive ring failures after which the agent is released with `ReleaseReason.ringFail`.
    public var maxRingFailures: Int
    /// OpenACD: a call re-queued after failed delivery gets priority - 5, floored at 0.
    public var requeuePriorityBump: Int
    /// Delivery rounds per call; nil = unlimited.
    public var maxAttempts: Int?
    /// Base of the exponential backoff before the same agent is rung again for the same call.
    public var retryBackoff: Duration
    public var dispatch: DispatchMode
    public var seed: UInt64
    /// Wall-clock (Unix seconds) of `now == .zero`, for `hour` and `weekday` conditions.
    public var originUnixTime: Double
    public var utcOffsetSeconds: Int
    /// Every call requires `_node:<node>` on arrival (seed 000); off = calls start node-free.
    public var callsRequireNode: Bool
    /// Runs after each queue's and group's steps.
    public var defaultRecipe: [RecipeStep]
    public var queues: [QueueConfig]
    public var queueGroups: [QueueGroupConfig]
    public var agents: [AgentConfig]

    /// REFERENCE §1: after 15 ticks, `remove_skills [_node]`, run once.
    public static func standardDefaultRecipe(ticks: Int = 15) -> [RecipeStep] {
        [RecipeStep(
            conditions: [.ticks(ticks)], operations: [.removeSkills([Skill("_node")])],
            runMode: .runOnce, comment: "open the call to other nodes")]
    }

    public init(
        node: String = "node1",
        tickLength: Duration = .seconds(10),
        ringTimeout: Duration = .seconds(60),
        wrapUpTime: Duration = .seconds(0),
        maxRingFailures: Int = 3,
        requeuePriorityBump: Int = 5,
        maxAttempts: Int? = nil,
        retryBackoff: Duration = .seconds(5),
        dispatch: DispatchMode = .smoothWeightedRoundRobin,
        seed: UInt64 = 1,
        originUnixTime: Double = 0,
        utcOffsetSeconds: Int = 0,
        callsRequireNode: Bool = true,
        defaultRecipe: [RecipeStep] = CallCenterConfig.standardDefaultRecipe(),
        queues: [QueueConfig] = [],
        queueGroups: [QueueGroupConfig] = [],
        agents: [AgentConfig] = []
    ) {
        self.node = node
        self.tickLength = tickLength
        self.ringTimeout = ringTimeout
        self.wrapUpTime = wrapUpTime
        self.maxRingFailures = maxRingFailures
        self.requeuePriorityBump = requeuePriorityBump
        self.maxAttempts = maxAttempts
        self.retryBackoff = retryBackoff
        self.dispatch = dispatch
        self.seed = seed
        self.originUnixTime = originUnixTime
        self.utcOffsetSeconds = utcOffsetSeconds
        self.callsRequireNode = callsRequireNode
        self.defaultRecipe = defaultRecipe
        self.queues = queues
        self.queueGroups = queueGroups
        self.agents = agents
    }
}
