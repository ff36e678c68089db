/// The orderings a queue strategy can ask for. `ringAll` rings everyone and uses `idle` only
/// to order the ring actions.
enum AgentKeyKind: Int, CaseIterable, Sendable {
    case idle, skillsThenIdle, roundRobin, fewestCalls, leastTalkTime, random, linear
}

extension RoutingStrategy {
    var keyKind: AgentKeyKind {
        switch self {
        case .skillsThenIdle: .skillsThenIdle
        case .longestIdle, .ringAll: .idle
        case .roundRobin: .roundRobin
        case .fewestCalls: .fewestCalls
        case .leastTalkTime: .leastTalkTime
        case .random: .random
        case .linear: .linear
        }
    }
}

/// An agent's sort keys, fixed for as long as the agent stays available (so heaps stay valid):
/// each is taken when the agent becomes available.
struct AgentKeys: Sendable {
    var availableSince: Int64 = 0
    var skillCount: Int64 = 0
    var lastOffer: Int64 = 0
    var callsAnswered: Int64 = 0
    var talkTime: Int64 = 0
    var random: Int64 = 0
    var order: Int64 = 0

    /// Smaller sorts first; ties end at the agent index (config order), so choices are stable.
    func key(_ kind: AgentKeyKind) -> (Int64, Int64) {
        switch kind {
        case .idle: (availableSince, 0)
        case .skillsThenIdle: (skillCount, availableSince)
        case .roundRobin: (lastOffer, 0)
        case .fewestCalls: (callsAnswered, availableSince)
        case .leastTalkTime: (talkTime, availableSince)
        case .random: (random, 0)
        case .linear: (order, 0)
        }
    }
}

/// An available agent in a class's heap; stale once the agent's token changes.
struct AgentEntry: Comparable, Sendable {
    var k1: Int64
    var k2: Int64
    var agent: Int32
    var token: UInt64

    static func < (a: AgentEntry, b: AgentEntry) -> Bool {
        (a.k1, a.k2, a.agent) < (b.k1, b.k2, b.agent)
    }

    static func == (a: AgentEntry, b: AgentEntry) -> Bool {
        (a.k1, a.k2, a.agent, a.token) == (b.k1, b.k2, b.agent, b.token)
    }
}

/// A waiting call in a class's per-queue heap: OpenACD order `(priority, enqueue time)`, then
/// arrival order. Stale once the call's token changes.
struct CallKey: Comparable, Sendable {
    var priority: Int
    var enqueuedAt: Int64
    var seq: UInt64
    var slot: Int32
    var token: UInt64

    static func < (a: CallKey, b: CallKey) -> Bool {
        (a.priority, a.enqueuedAt, a.seq) < (b.priority, b.enqueuedAt, b.seq)
    }

    static func == (a: CallKey, b: CallKey) -> Bool {
        (a.priority, a.enqueuedAt, a.seq, a.token) == (b.priority, b.enqueuedAt, b.seq, b.token)
    }
}

extension Duration {
    /// Whole nanoseconds, for compact heap keys.
    var nanoseconds: Int64 {
        components.seconds &* 1_000_000_000 &+ components.attoseconds / 1_000_000_000
    }
}
