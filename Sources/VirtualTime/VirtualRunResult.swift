import CallCenter

/// How a simulated call ended (`CallCenter.Disposition`, plus calls cut off by the run's end).
public enum VirtualCallOutcome: String, Sendable, Codable, Equatable, CaseIterable {
    case answered, abandoned, failed, voicemail, rejected
    /// Still up when the run stopped (`VirtualScenario.drainLimit` after the arrivals ended).
    case unfinished

    init(_ disposition: Disposition) {
        switch disposition {
        case .answered: self = .answered
        case .abandoned: self = .abandoned
        case .failed: self = .failed
        case .voicemail: self = .voicemail
        case .rejected: self = .rejected
        }
    }
}

/// One simulated call. Times are seconds from the run's origin.
public struct VirtualCallResult: Sendable, Codable, Equatable {
    public var id: String
    /// The queue the call arrived in (its stream's queue).
    public var queue: String
    /// The queue it ended in when the routing core moved it (recipe new_queue, overflow); nil: it stayed.
    public var finalQueue: String?
    /// The agent who answered.
    public var agent: String?
    public var arrival: Double
    /// First time an agent was rung for it.
    public var firstRing: Double?
    public var answer: Double?
    public var end: Double
    public var outcome: VirtualCallOutcome
    /// Until answered, or until the end when unanswered.
    public var wait: Double
    /// Not rung at its arrival instant (see `VirtualRunResult.probabilityOfWait`).
    public var waited: Bool
    /// Arrived after the warm-up: counted in the statistics.
    public var counted: Bool
}

/// A point estimate with a 95% confidence interval.
public struct ConfidenceInterval: Sendable, Equatable {
    public var estimate: Double
    /// Half the interval's width; `.infinity` when it could not be estimated.
    public var halfWidth: Double
    /// The values the quantity can take (a rate: 0...1; a wait: 0 and up): the interval's ends
    /// are clamped to them, so an abandonment rate never has a negative lower bound.
    public var bounds: ClosedRange<Double>?
    public var lower: Double { bounds.map { max($0.lowerBound, estimate - halfWidth) } ?? estimate - halfWidth }
    public var upper: Double { bounds.map { min($0.upperBound, estimate + halfWidth) } ?? estimate + halfWidth }
    /// How it was computed, e.g. "batch means, 20 batches" or "5 replications".
    public var method: String

    public init(estimate: Double, halfWidth: Double, method: String, bounds: ClosedRange<Double>? = nil) {
        self.estimate = estimate
        self.halfWidth = halfWidth
        self.method = method
        self.bounds = bounds
    }

    /// Rates and fractions.
    public static let fraction: ClosedRange<Double> = 0...1
    /// Waits and other durations.
    public static let nonNegative: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude

    /// The same interval with its ends clamped to `range`.
    public func clamped(to range: ClosedRange<Double>) -> ConfidenceInterval {
        var c = self
        c.bounds = range
        return c
    }

    public func contains(_ x: Double) -> Bool { x >= lower && x <= upper }

    /// True when both the estimate and the half-width are finite numbers.
    public var isEstimated: Bool { estimate.isFinite && halfWidth.isFinite }
}

extension ConfidenceInterval: Codable {
    private enum CodingKeys: String, CodingKey { case estimate, halfWidth, lower, upper, method }

    /// JSON has no NaN or infinity: a value that could not be estimated is left out (null).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func put(_ x: Double, _ key: CodingKeys) throws { try c.encode(x.isFinite ? x : nil, forKey: key) }
        try put(estimate, .estimate)
        try put(halfWidth, .halfWidth)
        try put(lower, .lower)
        try put(upper, .upper)
        try c.encode(method, forKey: .method)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        estimate = try c.decodeIfPresent(Double.self, forKey: .estimate) ?? .nan
        halfWidth = try c.decodeIfPresent(Double.self, forKey: .halfWidth) ?? .infinity
        method = try c.decode(String.self, forKey: .method)
    }
}

/// Service level for one threshold, under both definitions in use (REFERENCE §3 asks every
/// report to say which one it uses).
public struct ServiceLevel: Sendable, Codable, Equatable {
    /// t, seconds.
    public var threshold: Double
    /// Calls answered with a wait <= t.
    public var answeredWithin: Int
    /// `answeredWithin / offered`: abandoned, failed and rejected calls count against it.
    public var ofOffered: ConfidenceInterval
    /// `answeredWithin / answered`: only answered calls count.
    public var ofAnswered: ConfidenceInterval
}

/// One agent over the run (times after the warm-up only).
public struct VirtualAgentResult: Sendable, Codable, Equatable {
    public var login: String
    public var group: Int
    /// Calls this agent answered (all of the run, warm-up included).
    public var calls: Int
    /// Seconds not offline (available, ringing, on call, wrap-up or released).
    public var loggedInTime: Double
    /// Seconds ringing, on a call or in wrap-up.
    public var busyTime: Double
    public var availableTime: Double
    public var releasedTime: Double
    /// `busyTime / loggedInTime` (breaks count as logged in); 0 when never logged in.
    public var occupancy: Double
}

/// Time averages of agents per state over an interval.
public struct AgentStateAverages: Sendable, Codable, Equatable {
    public var offline: Double
    public var available: Double
    public var ringing: Double
    public var onCall: Double
    public var wrapUp: Double
    public var released: Double
}

/// One report interval `[start, end)`. Calls are attributed to the interval they arrived in;
/// warm-up calls are included (the series shows the whole run).
public struct VirtualInterval: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    /// Calls that arrived at or after the warm-up, whatever became of them.
    public var offered: Int
    /// Calls an agent answered (including any still talking when the run stopped).
    public var answered: Int
    public var abandoned: Int
    /// Per `VirtualScenario.serviceLevelThresholds`, `answeredWithin(t) / offered` (nil when
    /// nothing arrived).
    public var serviceLevelOfOffered: [Double?]
    /// Time-average number of waiting (queued, not ringing) calls, all queues together.
    public var meanQueueLength: Double
    public var maxQueueLength: Int
    public var agents: AgentStateAverages
}

/// Everything a virtual-time run measured. Aggregates count calls that arrived at or after
/// `warmUp`; confidence intervals are 95% batch means over those calls in arrival order.
public struct VirtualRunResult: Sendable, Codable {
    public var seed: UInt64
    public var warmUp: Double
    /// Seconds simulated (the last event, at least the scenario's duration).
    public var simulatedTime: Double
    public var eventsProcessed: Int

    /// Calls that arrived at or after the warm-up, whatever became of them.
    public var offered: Int
    /// Calls an agent answered (including any still talking when the run stopped).
    public var answered: Int
    public var abandoned: Int
    public var failed: Int
    public var voicemail: Int
    public var rejected: Int
    public var unfinished: Int
    /// Calls that waited: those not rung at the instant they arrived (a ring at the arrival
    /// instant, answered later after the answer delay, counts as not waiting).
    public var waited: Int

    /// `waited / offered`.
    public var probabilityOfWait: ConfidenceInterval
    /// Mean wait (arrival to answer, answer delay included) of answered calls.
    public var averageSpeedOfAnswer: ConfidenceInterval
    /// `abandoned / offered`.
    public var abandonRate: ConfidenceInterval
    public var serviceLevels: [ServiceLevel]
    /// Longest wait of any counted call, answered or not.
    public var maxWait: Double
    /// Mean wait of abandoned calls until they hung up.
    public var meanTimeToAbandon: Double

    /// The same metrics by control variates (see `ControlledEstimates`); nil when no control
    /// varies or there are too few batches.
    public var controlled: ControlledEstimates?

    public var agents: [VirtualAgentResult]
    public var intervals: [VirtualInterval]
    /// Empty unless `VirtualScenario.keepCalls`.
    public var calls: [VirtualCallResult]

    /// The service level for threshold `t`, if the scenario asked for it.
    public func serviceLevel(_ t: Double) -> ServiceLevel? {
        serviceLevels.first { $0.threshold == t }
    }
}

/// Estimates of the run's metrics adjusted by control variates: the batch values regressed on
/// each batch's mean relative deviation of the sampled talk times (and of Poisson inter-arrival
/// gaps) from their known means; the intercept is the estimate at the nominal load. Same
/// quantities as the plain estimates, usually with a several-times narrower interval.
public struct ControlledEstimates: Sendable, Codable, Equatable {
    /// Which controls were used: "talk time", "inter-arrival time".
    public var controls: [String]
    public var probabilityOfWait: ConfidenceInterval
    public var averageSpeedOfAnswer: ConfidenceInterval
    public var abandonRate: ConfidenceInterval
    /// `answeredWithin(t) / offered`, per `VirtualScenario.serviceLevelThresholds`.
    public var serviceLevelsOfOffered: [ConfidenceInterval]
}
