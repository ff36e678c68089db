/// Checks a `CallCenterConfig` before the core uses it, so every mistake a user can make in a
/// config file is reported by name rather than showing up as a call that never routes.
struct ConfigValidation {
    let config: CallCenterConfig
    private let queueNames: Set<String>
    private let agentLogins: Set<String>

    init(_ config: CallCenterConfig) {
        self.config = config
        queueNames = Set(config.queues.map(\.name))
        agentLogins = Set(config.agents.map(\.login))
    }

    func run() throws(CallCenterConfigError) {
        try positive(config.tickLength, "tick length", "config")
        try positive(config.ringTimeout, "ring timeout", "config")
        guard config.maxRingFailures > 0 else {
            throw .nonPositive(field: "max ring failures", context: "config")
        }
        if let attempts = config.maxAttempts, attempts <= 0 {
            throw .nonPositive(field: "max attempts", context: "config")
        }
        guard config.wrapUpTime >= .zero, config.retryBackoff >= .zero,
            config.requeuePriorityBump >= 0
        else {
            throw .invalidArguments(
                operation: "config", reason: "wrap-up time, retry backoff and requeue priority bump "
                    + "must not be negative", context: "config")
        }
        try unique(config.queues.map(\.name), kind: "queue")
        try unique(config.queueGroups.map(\.name), kind: "queue group")
        try unique(config.agents.map(\.login), kind: "agent")
        let groupNames = Set(config.queueGroups.map(\.name))
        for queue in config.queues {
            let context = "queue '\(queue.name)'"
            guard queue.weight > 0 else { throw .nonPositive(field: "weight", context: context) }
            if let group = queue.group, !groupNames.contains(group) {
                throw .unknownQueueGroup(group, context: context)
            }
            if let wait = queue.maxWait { try positive(wait, "max wait", context) }
            if let step = queue.agingStep { try positive(step, "aging step", context) }
            if let length = queue.maxLength, length <= 0 {
                throw .nonPositive(field: "max length", context: context)
            }
            if case .overflow(let target) = queue.onMaxWait, !queueNames.contains(target) {
                throw .unknownQueue(target, context: context + " overflow")
            }
            try callSkills(queue.skills, adding: true, context: context + " skills")
            try recipe(queue.recipe, context: context + " recipe")
        }
        for group in config.queueGroups {
            try recipe(group.recipe, context: "queue group '\(group.name)' recipe")
        }
        try recipe(config.defaultRecipe, context: "default recipe")
        for agent in config.agents {
            try agentSkills(agent.skills, context: "agent '\(agent.login)' skills")
        }
    }

    private func positive(_ d: Duration, _ field: String, _ context: String) throws(CallCenterConfigError) {
        guard d > .zero else { throw .nonPositive(field: field, context: context) }
    }

    private func unique(_ names: [String], kind: String) throws(CallCenterConfigError) {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw .duplicateName(kind: kind, name: name)
        }
    }

    func recipe(_ steps: [RecipeStep], context: String) throws(CallCenterConfigError) {
        for (i, step) in steps.enumerated() {
            let stepContext = "\(context) step \(i + 1)"
            for condition in step.conditions {
                if case .ticks(let n) = condition, n <= 0 {
                    throw .nonPositive(field: "ticks", context: stepContext)
                }
            }
            for operation in step.operations {
                switch operation {
                case .newQueue(let name):
                    guard queueNames.contains(name) else {
                        throw .unknownQueue(name, context: stepContext + " new_queue")
                    }
                case .addSkills(let skills):
                    try callSkills(skills, adding: true, context: stepContext + " add_skills")
                case .removeSkills(let skills):
                    try callSkills(skills, adding: false, context: stepContext + " remove_skills")
                case .addRecipe(let nested):
                    try recipe([nested], context: stepContext + " add_recipe")
                case .setPriority, .prioritize, .deprioritize, .voicemail, .announce:
                    break
                }
            }
        }
    }

    /// Skills a call requires. `_agent` needs a known login when added; bare `_agent` may be
    /// removed (it clears the target).
    private func callSkills(_ skills: [Skill], adding: Bool, context: String) throws(CallCenterConfigError) {
        for skill in skills {
            switch MagicSkill.parse(skill.name) {
            case nil, .success(.node), .success(.queue), .success(.brand), .success(.all):
                break
            case .failure(let unknown):
                throw .unknownMagicSkill(unknown.name, context: context)
            case .success(.agent(let login)):
                if let login, !agentLogins.contains(login) {
                    throw .unknownAgent(login, context: context)
                }
                if login == nil && adding {
                    throw .invalidArguments(
                        operation: "_agent", reason: "write _agent:<login> to route to one agent",
                        context: context)
                }
            }
        }
    }

    /// Agent skills: `_queue` and `_brand` need their argument (`_queue:support`).
    private func agentSkills(_ skills: [Skill], context: String) throws(CallCenterConfigError) {
        for skill in skills {
            switch MagicSkill.parse(skill.name) {
            case .failure(let unknown):
                throw .unknownMagicSkill(unknown.name, context: context)
            case .success(.queue(nil)), .success(.brand(nil)):
                throw .invalidArguments(
                    operation: skill.name, reason: "an agent must name it, e.g. \(skill.name):<name>",
                    context: context)
            default:
                break
            }
        }
    }
}
