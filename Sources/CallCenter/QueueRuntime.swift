/// The core's per-queue state.
struct QueueRuntime: Sendable {
    var config: QueueConfig
    /// Own steps, then the group's, then the default recipe.
    let recipe: [RecipeStep]
    let kind: AgentKeyKind
    /// Calls waiting (Queued, not ringing), unordered; `LiveCall.memberIndex` points here.
    var members: [Int] = []
    /// The queue's skills expanded at init (`_brand` aside, which needs the caller's client).
    var skills = CallSkillChange()
    var skillsNeedClient = false
    /// Smooth weighted round robin current weight.
    var currentWeight: Int64 = 0

    var name: String { config.name }
}
