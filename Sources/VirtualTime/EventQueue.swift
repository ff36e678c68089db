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
struct SimulationEvent: Sendable {
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
}

/// A binary min-heap of events keyed by `(time, seq)`.
struct EventQueue: Sendable {
    private var heap: [SimulationEvent] = []
    private var nextSeq: UInt64 = 0

    init(capacity: Int = 1024) {
        heap.reserveCapacity(capacity)
    }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(
        at time: Int64, _ kind: SimulationEventKind, a: Int32 = 0, b: Int32 = 0, token: UInt32 = 0
    ) {
        nextSeq &+= 1
        heap.append(SimulationEvent(time: time, seq: nextSeq, kind: kind, a: a, b: b, token: token))
        var i = heap.count - 1
        let item = heap[i]
        while i > 0 {
            let parent = (i - 1) >> 1
            guard item < heap[parent] else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = item
    }

    mutating func pop() -> SimulationEvent? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        let n = heap.count
        var i = 0
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n, heap[child + 1] < heap[child] { child += 1 }
            guard heap[child] < last else { break }
            heap[i] = heap[child]
            i = child
        }
        heap[i] = last
        return top
    }
}
