/// One ringing leg of a call and its armed ring timeout.
struct RingLeg: Sendable, Equatable {
    var agent: Int
    var deadline: Duration
}

/// The core's per-call state, from arrival to `callFinished`.
struct LiveCall: Sendable {
    let id: CallID
    var queue: Int
    let originalQueue: Int
    let caller: CallerInfo
    let media: MediaType
    var priority: Int
    /// Fixed at arrival: orders the call and counts its recipe ticks, even across `new_queue`.
    let enqueuedAt: Duration
    /// When the call entered its current queue: `maxWait` counts from here.
    var queueEnteredAt: Duration
    let seq: UInt64

    var skills: SkillSet
    var target: String?
    var requiresAll: Bool
    /// What the current queue's skills added, so a move can take exactly that away.
    var fromQueue: CallSkillChange
    var requirement: Int32 = -1

    var machine = CallStateMachine()
    var recipe: [RecipeStep]
    var nextTick = 1
    var tickDeadline: Duration?
    var timeoutDeadline: Duration?
    /// `maxWait` passed while the call was ringing; applied if it comes back to the queue.
    var timeoutPending = false
    var agingDeadline: Duration?
    var retryDeadline: Duration?
    var legs: [RingLeg] = []

    var attempts = 0
    var firstRingAt: Duration?
    var answeredAt: Duration?
    var answeredBy: Int?
    var memberIndex = -1
}
