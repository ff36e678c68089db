/// One queue.
public struct QueueConfig: Sendable, Equatable {
    public var name: String
    /// Share of dispatcher attention is proportional to `weight * calls waiting`.
    public var weight: Int
    /// Required by every call in the queue (magic skills expanded per call).
    public var skills: [Skill]
    /// The queue's own recipe steps; its group's steps and then the default recipe follow.
    public var recipe: [RecipeStep]
    public var strategy: RoutingStrategy
    public var group: String?
    /// Measured from when the call entered this queue.
    public var maxWait: Duration?
    public var onMaxWait: MaxWaitAction
    /// Calls waiting (not ringing) beyond which a new call is rejected.
    public var maxLength: Int?
    /// When set, a waiting call's priority improves by 1 (floored at 0) per `agingStep` waited.
    public var agingStep: Duration?

    public init(
        name: String, weight: Int = 1, skills: [Skill] = [], recipe: [RecipeStep] = [],
        strategy: RoutingStrategy = .longestIdle, group: String? = nil, maxWait: Duration? = nil,
        onMaxWait: MaxWaitAction = .voicemail, maxLength: Int? = nil, agingStep: Duration? = nil
    ) {
        self.name = name
        self.weight = weight
        self.skills = skills
        self.recipe = recipe
        self.strategy = strategy
        self.group = group
        self.maxWait = maxWait
        self.onMaxWait = onMaxWait
        self.maxLength = maxLength
        self.agingStep = agingStep
    }
}

/// OpenACD queue groups: a queue's effective recipe is its own steps, then its group's.
public struct QueueGroupConfig: Sendable, Equatable {
    public var name: String
    public var recipe: [RecipeStep]

    public init(name: String, recipe: [RecipeStep] = []) {
        self.name = name
        self.recipe = recipe
    }
}

/// One agent who may log in.
public struct AgentConfig: Sendable, Equatable {
    public var login: AgentID
    public var skills: [Skill]
    /// Position for the `linear` strategy, lowest first; ties by config order.
    public var order: Int
    /// The node the agent is on; nil = the core's node. Agents hold `_node:<node>`.
    public var node: String?

    public init(login: AgentID, skills: [Skill] = [], order: Int = 0, node: String? = nil) {
        self.login = login
        self.skills = skills
        self.order = order
        self.node = node
    }
}
