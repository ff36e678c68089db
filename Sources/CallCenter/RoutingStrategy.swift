import Primitives
/// How a queue orders the agents who could take a call.
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Seed 000: shortest skill list first, then longest idle.
    case skillsThenIdle = "skills-then-idle"
    /// Longest available first (rvoip's fix for "all calls go to one agent").
    case longestIdle = "longest-idle"
    /// The agent offered a call least recently first (Asterisk rrmemory, OpenACD rotation).
    case roundRobin = "round-robin"
    /// Fewest answered calls first, then longest idle.
    case fewestCalls = "fewest-calls"
    /// Least total talk time first, then longest idle.
    case leastTalkTime = "least-talk-time"
    /// Uniform among candidates, from the core's seeded generator.
    case random
    /// By `AgentConfig.order`, lowest first (FreeSWITCH sequentially-by-agent-order).
    case linear
    /// Ring every candidate at once; the first answer wins, the others are cancelled.
    case ringAll = "ring-all"
}

/// How an available agent's attention is shared among queues (seed 000:
/// `weight * calls_in_queue / total weight`).
public enum DispatchMode: String, Sendable, CaseIterable {
    /// Deterministic smooth weighted round robin (nginx upstream algorithm).
    case smoothWeightedRoundRobin = "weighted-round-robin"
    /// The seed's "for now biased random", from the core's seeded generator.
    case biasedRandom = "biased-random"
}

/// What happens when a call has waited `maxWait` in a queue.
public enum MaxWaitAction: Sendable, Equatable {
    case voicemail
    /// Move to another queue (keeping its enqueue time for ordering).
    case overflow(String)
    case hangup
}
