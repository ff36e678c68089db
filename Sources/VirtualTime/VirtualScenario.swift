import CallCenter
import Workload

/// Everything a virtual-time run needs, independent of YAML: the routing core's config, the
/// agents who staff it and the customers who call. Times are seconds from the run's origin.
public struct VirtualScenario: Sendable {
    /// The routing core's configuration. Every login of `agentGroups` must be one of its agents.
    public var routing: CallCenterConfig
    public var agentGroups: [VirtualAgentGroup]
    public var customerStreams: [VirtualCustomerStream]
    /// Seconds during which customers arrive (a stream with `calls` set ignores it).
    public var duration: Double
    /// Calls arriving before this many seconds are left out of every statistic (not out of the
    /// simulation, and not out of the time series).
    public var warmUp: Double
    /// Seeds every random draw of the run (the routing core keeps `routing.seed`).
    public var seed: UInt64
    /// Length of one interval of `VirtualRunResult.intervals`, in seconds.
    public var reportInterval: Double
    /// Thresholds `t` for which service levels are reported, in seconds.
    public var serviceLevelThresholds: [Double]
    /// Batches for the batch-means confidence intervals.
    public var batches: Int
    /// After arrivals end, the run waits at most this long for calls in progress; calls still
    /// up then are recorded as `.unfinished`.
    public var drainLimit: Double
    /// Keep one `VirtualCallResult` per call in the result (off saves memory in searches).
    public var keepCalls: Bool
    /// End exactly as a real ccsim run does: no call arrives at or after `duration` (in any
    /// stream, `calls` or not) and the run stops at `duration`, calls still up then being
    /// `.unfinished`. Off (planning, theory checks): streams with `calls` deliver them all and
    /// the run waits up to `drainLimit` for the calls in progress.
    public var endsAtDuration = false

    public init(
        routing: CallCenterConfig, agentGroups: [VirtualAgentGroup],
        customerStreams: [VirtualCustomerStream], duration: Double, warmUp: Double = 0,
        seed: UInt64 = 1, reportInterval: Double = 900, serviceLevelThresholds: [Double] = [20],
        batches: Int = 20, drainLimit: Double = 4 * 3600, keepCalls: Bool = true
    ) {
        self.routing = routing
        self.agentGroups = agentGroups
        self.customerStreams = customerStreams
        self.duration = duration
        self.warmUp = warmUp
        self.seed = seed
        self.reportInterval = reportInterval
        self.serviceLevelThresholds = serviceLevelThresholds
        self.batches = batches
        self.drainLimit = drainLimit
        self.keepCalls = keepCalls
    }
}

/// Agents who behave alike. Each login must be an agent of `VirtualScenario.routing`.
public struct VirtualAgentGroup: Sendable {
    public var logins: [String]
    /// From ring to answer.
    public var answerDelay: Distribution
    /// Agent-side call duration: the agent hangs up after it. nil: the customer's `holdTime`
    /// applies and the customer hangs up.
    public var talkTime: Distribution?
    /// After-call work: the agent ends wrap-up (`wrapUpDone`) this long after a call; nil: the
    /// routing core's `wrapUpTime` ends it. The core's `wrapUpTime` stays the upper bound.
    public var wrapUp: Distribution?
    /// Chance that a ring is refused at once (SIP 486) -> `.agentRejected`.
    public var rejectProbability: Double
    /// Chance that a ring is let ring until the core's ring timeout.
    public var noAnswerProbability: Double
    /// Seconds at which the agents log in.
    public var loginAt: Double
    /// Seconds at which the agents log out; nil: they stay until the run ends.
    public var logoutAt: Double?
    /// Breaks, each `at` seconds after `loginAt` (as `Simulator.AgentGroup.Break`).
    public var breaks: [VirtualBreak]

    public init(
        logins: [String], answerDelay: Distribution = .constant(0), talkTime: Distribution? = nil,
        rejectProbability: Double = 0, noAnswerProbability: Double = 0, loginAt: Double = 0,
        logoutAt: Double? = nil, breaks: [VirtualBreak] = [], wrapUp: Distribution? = nil
    ) {
        self.wrapUp = wrapUp
        self.logins = logins
        self.answerDelay = answerDelay
        self.talkTime = talkTime
        self.rejectProbability = rejectProbability
        self.noAnswerProbability = noAnswerProbability
        self.loginAt = loginAt
        self.logoutAt = logoutAt
        self.breaks = breaks
    }
}

/// One break of an agent group: released `at` seconds after the group's login with `reason`,
/// available again after `duration`; nil duration: released for the rest of the run.
public struct VirtualBreak: Sendable, Equatable {
    public var at: Double
    public var duration: Double?
    public var reason: String

    public init(at: Double, duration: Double?, reason: String) {
        self.at = at
        self.duration = duration
        self.reason = reason
    }
}

/// Customers calling one queue.
public struct VirtualCustomerStream: Sendable {
    public var queue: String
    /// Exactly this many calls arrive (ignoring `VirtualScenario.duration`); nil: calls arrive
    /// until the scenario's duration.
    public var calls: Int?
    public var arrivals: Arrival
    /// Talk time once answered, after which the customer hangs up (unless the agent group has
    /// a `talkTime`).
    public var holdTime: Distribution
    /// The customer hangs up if not answered within this (ringing or not); nil: waits forever.
    public var patience: Distribution?
    /// `CallerInfo.client`, for `_brand` skills and recipe `client` conditions.
    public var client: String?
    public var priority: Int
    /// No call of this stream arrives at or after this many seconds (nil: no limit of its own).
    public var stop: Double?

    public init(
        queue: String, calls: Int? = nil, arrival: Arrival, holdTime: Distribution,
        patience: Distribution? = nil, client: String? = nil, priority: Int = 1
    ) {
        self.init(
            queue: queue, calls: calls, arrivals: arrival, holdTime: holdTime,
            patience: patience, client: client, priority: priority)
    }

    public init(
        queue: String, calls: Int? = nil, arrivals: Arrival, holdTime: Distribution,
        patience: Distribution? = nil, client: String? = nil, priority: Int = 1
    ) {
        self.queue = queue
        self.calls = calls
        self.arrivals = arrivals
        self.holdTime = holdTime
        self.patience = patience
        self.client = client
        self.priority = priority
    }
}
