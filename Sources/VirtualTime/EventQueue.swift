import Primitives

/// What a scheduled simulation event does. Payload meaning per kind is given in
/// `SimulationEvent`.
enum SimulationEventKind: UInt8, Sendable {
    /// a = stream.
    case arrival
    /// a = agent, b = call, token = the agent's ring token when rung.
    case agentAnswers
    /// a = agent, b = call, token = ring token.
    case agentRejects
    /// b = call: the customer hangs up (hold time over, or the end of the run).
    case customerHangsUp
    /// b = call: the agent hangs up (talk time over).
    case agentHangsUp
    /// b = call: patience ran out.
    case patienceExpires
    /// a = agent.
    case login
    /// a = agent.
    case logout
    /// a = agent, b = index into the agent's group's breaks.
    case breakStarts
    /// a = agent.
    case breakEnds
    /// a = agent: the agent's after-call work is done.
    case wrapUpDone
    /// a = timer slot, token = the slot's generation when armed.
    case timer
}

/// One entry of the event queue: plain values only, so the heap moves no references.
struct SimulationEvent: Sendable, Comparable {
    /// Nanoseconds from the origin.
    var time: Int64
    /// Insertion order: breaks ties so equal times run first-scheduled first (deterministic).
    var seq: UInt64
    var kind: SimulationEventKind
    var a: Int32
    var b: Int32
    var token: UInt32

    @inline(__always)
    static func < (l: SimulationEvent, r: SimulationEvent) -> Bool {
        l.time != r.time ? l.time < r.time : l.seq < r.seq
    }

    static func == (l: SimulationEvent, r: SimulationEvent) -> Bool { l.time == r.time && l.seq == r.seq }
}

/// The simulation's events keyed by `(time, seq)`, on the package's binary heap.
struct EventQueue: Sendable {
    private var heap: BinaryHeap<SimulationEvent>
    private var nextSeq: UInt64 = 0

    init(capacity: Int = 1024) {
        heap = BinaryHeap(capacity: capacity)
    }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(
        at time: Int64, _ kind: SimulationEventKind, a: Int32 = 0, b: Int32 = 0, token: UInt32 = 0
    ) {
        nextSeq &+= 1
        heap.insert(SimulationEvent(time: time, seq: nextSeq, kind: kind, a: a, b: b, token: token))
    }

    mutating func pop() -> SimulationEvent? { heap.popMin() }
}
