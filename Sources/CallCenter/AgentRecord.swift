/// The core's per-agent state: the state machine plus what strategies sort by.
struct AgentRecord: Sendable {
    let login: AgentID
    let order: Int
    let skills: SkillSet
    let hasAll: Bool
    var machine: AgentStateMachine
    /// Round-robin rotation: the value of the core's offer counter at the last offer.
    var lastOffer: Int64 = 0
    var callsAnswered: Int64 = 0
    var talkTime: Int64 = 0
    var callStartedAt: Duration?
    /// Removed (or redefined) by a reload: kept so indices stay valid, never offered a call.
    var retired = false
    /// Armed wrap-up timer deadline.
    var wrapUpDeadline: Duration?
}
