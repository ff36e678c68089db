import Engine
import Media
import SIP
@_exported import Workload

/// A scenario: the engine it runs against, the virtual agents and customers, and what must hold.
/// Read from YAML by `ScenarioFile`; the language is documented in docs/scenarios.md.
public struct Scenario: Sendable {
    public var name: String
    public var file: String
    public var engine: EngineConfig
    /// The engine configuration as YAML text, handed to a ccengine that ccsim starts itself.
    public var engineYAML: String = ""
    /// Agents' passwords from the engine configuration (`password:`), for the virtual phones'
    /// digest authentication. Agents configured with HA1 only cannot be simulated.
    public var agentPasswords: [String: String] = [:]
    public var agentGroups: [AgentGroup]
    public var customerStreams: [CustomerStream]
    /// Hard limit on the run (scenario time); calls still up are hung up and counted as failed.
    public var maxDuration: Double = 120
    /// Calls arriving before this (scenario seconds) run normally but are left out of the
    /// statistics and the statistical expectations (SL, ASA, abandonment, waits, fairness).
    public var warmUp: Double = 0
    /// Scenario seconds per real second: 10 runs a 10-minute scenario in one minute.
    public var timeScale: Double = 1
    public var seed: UInt64 = 1
    public var media = true
    public var expectations: [Expectation] = []

    public init(name: String, file: String, engine: EngineConfig) {
        self.name = name
        self.file = file
        self.engine = engine
        self.agentGroups = []
        self.customerStreams = []
    }
}

public struct AgentGroup: Sendable {
    /// The group's name in reports and in expectations' `group:` (default `g1`, `g2`... in order).
    public var name = ""
    /// Agent logins; each must be an agent of the engine configuration.
    public var logins: [String]
    public var answerDelay: Distribution = .constant(0.5)
    /// When set, the agent hangs up after this long; otherwise the customer hangs up.
    public var talkTime: Distribution?
    /// After-call work: the agent sends `wrapup-done` this long after each call (the engine's
    /// `routing.wrap_up` is the upper bound); nil: the engine's wrap-up alone.
    public var wrapUp: Distribution?
    /// Probability of answering 486 Busy Here instead of picking up.
    public var rejectProbability: Double = 0
    /// Probability of letting the phone ring (no answer).
    public var noAnswerProbability: Double = 0
    /// Seconds after the start at which the agent registers (logs in).
    public var loginAt: Double = 0
    /// How the agents' phones reach the engine (`transport: udp|tcp|tls`): over TCP or TLS a phone
    /// opens one connection, registers over it and gets its calls on it (it listens nowhere else).
    public var transport: Transport = .udp
    /// Seconds after the start at which the agent unregisters (logs out); nil: stays.
    public var logoutAt: Double?
    /// Breaks: the agent releases itself (SIP MESSAGE "release REASON") at `at` seconds after
    /// login and comes back (`available`) after `duration`; nil duration = for the rest of the run.
    public var breaks: [Break] = []

    public struct Break: Sendable, Equatable {
        public var at: Double
        public var duration: Double?
        public var reason: String
    }
    public var line: Int?
}

/// Keys a customer presses once answered, in steps (a menu, then the next menu...): each step's
/// first key `after` seconds after the previous step's last key (the first step's: after the
/// answer), then its other keys `gap` apart.
public struct DTMF: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var digits: String
        /// Scenario seconds before the step's first key, and between its keys.
        public var after: Double = 1
        public var gap: Double = 0.2
        public init(digits: String, after: Double = 1, gap: Double = 0.2) {
            self.digits = digits
            self.after = after
            self.gap = gap
        }
    }

    public var steps: [Step]
    public static let alphabet = Set("0123456789*#ABCD")

    public init(steps: [Step]) { self.steps = steps }
    public init(digits: String, after: Double = 1, gap: Double = 0.2) { steps = [Step(digits: digits, after: after, gap: gap)] }

    /// Every key, in order.
    public var digits: String { steps.map(\.digits).joined() }
    /// Each key with the scenario seconds to wait before it (from the answer, then from the key before).
    public var keys: [(digit: Character, wait: Double)] {
        steps.flatMap { step in step.digits.enumerated().map { ($0.element, $0.offset == 0 ? step.after : step.gap) } }
    }
}

public struct CustomerStream: Sendable {
    public var queue: String
    /// Exactly this many calls; nil: calls arrive until the arrival process ends (a profile
    /// whose rate drops to zero) or the scenario's duration.
    public var calls: Int?
    public var arrival: Arrival
    /// Time on the call once answered, then the customer hangs up (BYE).
    public var holdTime: Distribution = .constant(3)
    /// How long the customer waits for an answer before hanging up (CANCEL); nil: forever.
    public var patience: Distribution?
    /// DTMF the customer sends once answered (RFC 4733 telephone-events in the RTP stream).
    public var dtmf: DTMF?
    /// The G.711 codecs the customer offers, in preference order (`codecs: [PCMA]`); the agent's
    /// answer picks one and both sides check every packet they receive is in it.
    public var codecs: [G711.Law] = [.muLaw]
    /// How the customers' phones reach the engine (`transport: udp|tcp|tls`), one connection per call.
    public var transport: Transport = .udp
    public var callerPrefix: String = "cust"
    public var client: String?
    /// No call of this stream arrives at or after this scenario time (nil: the duration).
    public var stop: Double?
    public var line: Int?
}


public struct Expectation: Sendable {
    public enum Kind: Sendable, Equatable {
        case allAnswered
        case noFailed
        case mediaVerified
        /// Service level: answered within `seconds`, over all offered calls (abandoned included).
        case serviceLevel(seconds: Double, atLeast: Double)
        case maxWait(Double)
        case asaAtMost(Double)
        case abandonRateAtMost(Double)
        case answered(Int)
        case recordsMatch
        /// These agents' phones never received an INVITE.
        case neverRung([String])
        /// Calls answered per agent, exactly.
        case agentAnswered([String: Int])
        /// INVITEs received per agent's phone, exactly.
        case agentRung([String: Int])
        /// Calls answered per agent within bounds, and the busiest agent's count at most
        /// `maxRatio` times the least busy one's (agents: nil = every agent of the scenario).
        case fairness(agents: [String]?, minAnswered: Int?, maxAnswered: Int?, maxRatio: Double?)
        /// Every answered call's agent received the DTMF digits its customer sent.
        case dtmfReceived
        /// Every engine record ended in this queue (after recipes and overflow moved calls).
        case finalQueue(String)
        /// Every counted call that waited over a second heard sound (music, announcements, a
        /// menu or a greeting, from its received audio) for at least half of its wait.
        case heardWhileWaiting
        /// Every caller that waited in a queue with media heard it as the queue's `media` says:
        /// the entry prompt first, music between announcements, its position and the periodic
        /// announcement at their times (`QueueMediaHeard`), from the prompts in its received audio.
        case queueMediaHeard
        /// At least this many voicemail messages reached ccsim's agents with the caller's tone in them.
        case voicemailsHeard(Int)

        /// The expectation's key as written in the scenario's `expect:`.
        public var key: String {
            switch self {
            case .allAnswered: "all_answered"
            case .noFailed: "no_failed"
            case .mediaVerified: "media_verified"
            case .serviceLevel: "service_level"
            case .maxWait: "max_wait"
            case .asaAtMost: "asa"
            case .abandonRateAtMost: "abandon_rate"
            case .answered: "answered"
            case .recordsMatch: "records_match"
            case .neverRung: "never_rung"
            case .agentAnswered: "agent_answered"
            case .agentRung: "agent_rung"
            case .fairness: "fairness"
            case .dtmfReceived: "dtmf_received"
            case .finalQueue: "final_queue"
            case .heardWhileWaiting: "heard_while_waiting"
            case .queueMediaHeard: "queue_media_heard"
            case .voicemailsHeard: "voicemails_heard"
            }
        }
    }
    public var kind: Kind
    public var line: Int?
    /// Which calls a figure expectation looks at: those that called a queue, or those a group
    /// answered; nil: every counted call.
    public var scope: Scope?

    public enum Scope: Sendable, Equatable, CustomStringConvertible {
        case queue(String)
        case group(String)
        public var description: String {
            switch self {
            case .queue(let q): "queue \(q)"
            case .group(let g): "group \(g)"
            }
        }
    }

    /// Whether it can be checked in virtual time (no SIP, media or engine records there).
    public var needsRealRun: Bool {
        switch kind {
        case .mediaVerified, .recordsMatch, .dtmfReceived, .neverRung, .agentRung, .finalQueue, .heardWhileWaiting, .queueMediaHeard, .voicemailsHeard: true
        default: false
        }
    }
    public init(kind: Kind, line: Int?, scope: Scope? = nil) {
        self.kind = kind
        self.line = line
        self.scope = scope
    }
}
