import CallCenter
import Workload

/// Finds the smallest number of agents in one agent group that meets a target, by running the
/// scenario in virtual time. The search starts at the Erlang estimate when the scenario has one
/// (one Poisson stream served by that group), then gallops and bisects, assuming the metric
/// improves with every agent added. Customer streams draw their calls the same way whatever the
/// staffing (common random numbers), so neighbouring staffing levels compare cleanly.
public struct StaffingPlanner: Sendable {
    public typealias Target = StaffingTarget

    /// Runs per staffing level. 1: one run, CI by batch means; more: independent replications
    /// (seeds derived from the scenario's), CI across them.
    public var replications: Int
    /// When set, every customer stream places exactly this many calls per run.
    public var calls: Int?
    /// Generated logins are `"<loginPrefix><n>"`, n from 1.
    public var loginPrefix: String
    /// Skills of the generated agents; nil: those of the group's first configured login (none if
    /// the group has no login yet).
    public var skills: [Skill]?

    public init(replications: Int = 1, calls: Int? = nil, loginPrefix: String = "plan-agent", skills: [Skill]? = nil) {
        self.replications = replications
        self.calls = calls
        self.loginPrefix = loginPrefix
        self.skills = skills
    }

    /// One staffing level tried.
    public struct Point: Sendable, Codable, Equatable {
        public var agents: Int
        /// The measured value of each target's metric, in the order the targets were given.
        public var metrics: [ConfidenceInterval]
        /// Every target's point estimate is met.
        public var meetsTarget: Bool
        /// The closed-form value of each target's metric, when the model applies to it.
        public var erlang: [Double?]
        /// The usual figures at this staffing, whatever the targets.
        public var figures: Figures
        /// The first target's metric.
        public var metric: ConfidenceInterval { metrics[0] }
    }

    /// SL, ASA, abandonment and the planned group's occupancy at one staffing level, each with
    /// its 95% confidence interval.
    public struct Figures: Sendable, Codable, Equatable {
        /// The threshold of `serviceLevel` (the first SL target's, else 20 s), answered within it / offered.
        public var serviceLevelThreshold: Double
        public var serviceLevel: ConfidenceInterval
        public var averageSpeedOfAnswer: ConfidenceInterval
        public var abandonRate: ConfidenceInterval
        /// Busy (ringing, talking, wrap-up) / logged-in time of the planned group's agents. The
        /// interval is over report intervals when the scenario has one group (none otherwise).
        public var occupancy: ConfidenceInterval
    }

    /// The closed-form model behind the estimate, with the load it assumed.
    public struct ClosedForm: Sendable, Codable, Equatable {
        /// "Erlang C" (M/M/N), or "Erlang A" (M/M/N+M) when customers have exponential patience.
        public var model: String
        /// Calls per second.
        public var arrivalRate: Double
        /// Talk time + ringing (answer delay) + the agents' mean wrap-up, seconds.
        public var handleTime: Double
        public var talkTime: Double
        public var answerDelay: Double
        public var wrapUp: Double
        /// Mean patience (Erlang A), seconds.
        public var patience: Double?
        /// Smallest staffing meeting every target by the model (nil: none in range, or no target it covers).
        public var agents: Int?
        /// Offered load in Erlangs: arrival rate × handle time.
        public var offeredLoad: Double { arrivalRate * handleTime }
        /// Targets the model does not cover (service level under Erlang A is taken from Erlang C,
        /// ignoring abandonment).
        public var notes: [String]
    }

    public struct PlanResult: Sendable, Codable, Equatable {
        /// Every target must hold.
        public var targets: [StaffingTarget]
        public var group: Int
        /// The smallest staffing in the range whose point estimates meet every target; nil if none.
        public var agents: Int?
        public var metrics: [ConfidenceInterval]?
        /// Every target's whole CI holds at `agents`, and at `agents - 1` (when tried) some
        /// target's whole CI misses: the choice does not hinge on simulation noise.
        public var confident: Bool
        public var closedForm: ClosedForm?
        /// Smallest staffing meeting the targets by the closed-form model, when it applies.
        public var erlangEstimate: Int? { closedForm?.agents }
        /// Staffing levels `agents - 2 ... agents + 2` (within the range), ascending.
        public var curve: [Point]
        /// Every staffing level simulated, ascending.
        public var tried: [Point]
    }

    /// Plans group `group` of `scenario` within `range` agents for one target.
    public func plan(
        scenario: VirtualScenario, group: Int, target: StaffingTarget, range: ClosedRange<Int>
    ) throws(VirtualScenarioError) -> PlanResult {
        try plan(scenario: scenario, group: group, targets: [target], range: range)
    }

    /// Plans group `group` of `scenario` within `range` agents so that every target holds.
    public func plan(
        scenario: VirtualScenario, group: Int, targets: [StaffingTarget], range: ClosedRange<Int>
    ) throws(VirtualScenarioError) -> PlanResult {
        guard scenario.agentGroups.indices.contains(group) else {
            throw .unknownGroup(group, count: scenario.agentGroups.count)
        }
        guard !targets.isEmpty else {
            throw .invalidValue(field: "targets", context: "planner", expected: "at least one target")
        }
        guard range.lowerBound >= 0 else {
            throw .invalidValue(field: "staffing range", context: "planner", expected: "zero agents or more")
        }
        guard replications >= 1 else {
            throw .invalidValue(field: "replications", context: "planner", expected: "at least 1")
        }
        var base = scenario
        base.keepCalls = false
        let slThreshold = targets.lazy.compactMap { if case .serviceLevel(let t, _, _) = $0 { t } else { nil } }.first ?? 20
        for t in [slThreshold] where !base.serviceLevelThresholds.contains(t) { base.serviceLevelThresholds.append(t) }
        for case .serviceLevel(let t, _, _) in targets where !base.serviceLevelThresholds.contains(t) {
            base.serviceLevelThresholds.append(t)
        }
        if let calls {
            for s in base.customerStreams.indices {
                base.customerStreams[s].calls = calls
                base.customerStreams[s].stop = nil  // exactly `calls` calls, whatever the stream's stop
            }
        }
        let erlang = ErlangView(scenario: base, group: group)
        var cache: [Int: Point] = [:]
        func point(_ n: Int) throws(VirtualScenarioError) -> Point {
            if let known = cache[n] { return known }
            let staffed = base.staffed(group: group, agents: n, loginPrefix: loginPrefix, skills: skills)
            let p = try measure(staffed, group: group, targets: targets, slThreshold: slThreshold,
                                erlang: targets.map { t in erlang?.value(t, agents: n, serviceLevelIgnoringPatience: true).flatMap { $0.isFinite ? $0 : nil } })
            cache[n] = p
            return p
        }

        let estimate = erlang?.smallestMeeting(targets, in: range)
        let start = min(max(estimate ?? (range.lowerBound + range.upperBound) / 2, range.lowerBound), range.upperBound)
        var answer: Int?
        // Gallop from the start to bracket the boundary, then bisect (lo misses, hi meets).
        var lo = range.lowerBound - 1, hi = range.upperBound + 1
        if try point(start).meetsTarget {
            hi = start
            var step = 1
            while hi - step > lo {
                let n = hi - step
                if try point(n).meetsTarget { hi = n; step *= 2 } else { lo = n; break }
            }
        } else {
            lo = start
            var step = 1
            while lo < range.upperBound {
                let n = min(lo + step, range.upperBound)
                if try point(n).meetsTarget { hi = n; break } else { lo = n; step *= 2 }
            }
        }
        while hi <= range.upperBound, hi - lo > 1 {
            let mid = (lo + hi) / 2
            if try point(mid).meetsTarget { hi = mid } else { lo = mid }
        }
        if hi <= range.upperBound { answer = hi }

        let centre = answer ?? range.upperBound
        for n in max(range.lowerBound, centre - 2)...min(range.upperBound, centre + 2) { _ = try point(n) }
        let curve = cache.values.filter { abs($0.agents - centre) <= 2 }.sorted { $0.agents < $1.agents }
        var confident = false
        if let answer, let p = cache[answer] {
            func wholly(_ t: StaffingTarget, _ ci: ConfidenceInterval, _ meets: Bool) -> Bool {
                t.isMet(by: ci.lower) == meets && t.isMet(by: ci.upper) == meets
            }
            let allHold = zip(targets, p.metrics).allSatisfy { wholly($0, $1, true) }
            let belowMisses = cache[answer - 1].map { b in zip(targets, b.metrics).contains { wholly($0, $1, false) } } ?? true
            confident = allHold && belowMisses
        }
        var closedForm = erlang?.description(for: targets)
        closedForm?.agents = estimate
        return PlanResult(
            targets: targets, group: group, agents: answer, metrics: answer.flatMap { cache[$0]?.metrics },
            confident: confident, closedForm: closedForm, curve: curve,
            tried: cache.values.sorted { $0.agents < $1.agents })
    }

    private func measure(_ scenario: VirtualScenario, group: Int, targets: [StaffingTarget], slThreshold: Double,
                         erlang: [Double?]) throws(VirtualScenarioError) -> Point {
        let none = ConfidenceInterval(estimate: .nan, halfWidth: .infinity, method: "none")
        func figures(_ r: VirtualRunResult) -> Figures {
            Figures(serviceLevelThreshold: slThreshold, serviceLevel: r.serviceLevel(slThreshold)?.ofOffered ?? none,
                    averageSpeedOfAnswer: r.averageSpeedOfAnswer, abandonRate: r.abandonRate,
                    occupancy: Self.occupancy(r, group: group, groups: scenario.agentGroups.count))
        }
        let agents = scenario.agentGroups[group].logins.count
        if replications == 1 {
            let result = try VirtualTimeRunner.run(scenario)
            let metrics = targets.map { $0.metric(of: result) ?? none }
            return Point(agents: agents, metrics: metrics, meetsTarget: zip(targets, metrics).allSatisfy { $0.isMet(by: $1.estimate) },
                         erlang: erlang, figures: figures(result))
        }
        var runs: [VirtualRunResult] = []
        for k in 0..<replications {
            var s = scenario
            s.seed = SplitMix.derivedSeed(scenario.seed, stream: UInt64(k), purpose: 7)
            runs.append(try VirtualTimeRunner.run(s))
        }
        func across(_ value: (VirtualRunResult) -> Double?) -> ConfidenceInterval {
            BatchMeans.interval(replications: runs.compactMap(value).filter { !$0.isNaN })
        }
        let fraction = ConfidenceInterval.fraction
        let metrics = targets.map { t in across { t.metric(of: $0)?.estimate }.clamped(to: t.bounds) }
        let f = Figures(serviceLevelThreshold: slThreshold, serviceLevel: across { $0.serviceLevel(slThreshold)?.ofOffered.estimate }.clamped(to: fraction),
                        averageSpeedOfAnswer: across { $0.averageSpeedOfAnswer.estimate }.clamped(to: ConfidenceInterval.nonNegative),
                        abandonRate: across { $0.abandonRate.estimate }.clamped(to: fraction),
                        occupancy: across { Self.occupancy($0, group: group, groups: scenario.agentGroups.count).estimate }.clamped(to: fraction))
        return Point(agents: agents, metrics: metrics, meetsTarget: zip(targets, metrics).allSatisfy { $0.isMet(by: $1.estimate) },
                     erlang: erlang, figures: f)
    }

    /// Busy / logged-in time of group `group`'s agents; its interval by batch means over the
    /// report intervals after the warm-up when the group is the only one.
    static func occupancy(_ r: VirtualRunResult, group: Int, groups: Int) -> ConfidenceInterval {
        let mine = r.agents.filter { $0.group == group }
        let logged = mine.reduce(0) { $0 + $1.loggedInTime }
        let estimate = logged > 0 ? mine.reduce(0) { $0 + $1.busyTime } / logged : .nan
        guard groups == 1 else { return ConfidenceInterval(estimate: estimate, halfWidth: .infinity, method: "none (several groups)") }
        let values = r.intervals.filter { $0.start >= r.warmUp }.compactMap { i -> Double? in
            let busy = i.agents.ringing + i.agents.onCall + i.agents.wrapUp
            let on = busy + i.agents.available + i.agents.released
            return on > 0 ? busy / on : nil
        }
        return BatchMeans.interval(estimate: estimate, values: values, method: "batch means over \(values.count) report intervals")
            .clamped(to: ConfidenceInterval.fraction)
    }
}

extension VirtualScenario {
    /// This scenario with agent group `group` replaced by `agents` generated logins
    /// `"<loginPrefix><n>"` (also added to `routing.agents`, the group's old logins removed).
    /// Skills: `skills`, else those of the group's first configured login.
    public func staffed(group: Int, agents: Int, loginPrefix: String = "plan-agent", skills: [Skill]? = nil)
        -> VirtualScenario
    {
        var s = self
        let old = Set(agentGroups[group].logins)
        let template = routing.agents.first { $0.login == agentGroups[group].logins.first }
        let logins = (0..<agents).map { "\(loginPrefix)\($0 + 1)" }
        s.routing.agents.removeAll { old.contains($0.login) }
        s.routing.agents += logins.map {
            AgentConfig(login: $0, skills: skills ?? template?.skills ?? [], order: template?.order ?? 0,
                        node: template?.node)
        }
        s.agentGroups[group].logins = logins
        return s
    }
}

/// The closed-form view of a plan, when the scenario is one Poisson stream served by the group
/// alone: Erlang C, or Erlang A with exponential patience.
private struct ErlangView {
    let lambda: Double
    let talk: Double
    let ring: Double
    let wrapUp: Double
    let patience: Double?
    var aht: Double { talk + ring + wrapUp }

    init?(scenario: VirtualScenario, group: Int) {
        guard scenario.agentGroups.count == 1, scenario.customerStreams.count == 1,
            case .poisson(let rate, _) = scenario.customerStreams[0].arrivals
        else { return nil }
        let g = scenario.agentGroups[group]
        let stream = scenario.customerStreams[0]
        lambda = rate
        // Agents are busy while ringing, talking and wrapping up. Wrap-up: the agents' own mean
        // when they end it (never past the engine's bound), else the engine's wrap-up time.
        talk = (g.talkTime ?? stream.holdTime).mean
        ring = g.answerDelay.mean
        let bound = seconds(nanoseconds(scenario.routing.wrapUpTime))
        wrapUp = g.wrapUp.map { min($0.mean, bound) } ?? bound
        if case .exponential(let m) = stream.patience { patience = m } else if stream.patience == nil {
            patience = nil
        } else {
            return nil
        }
    }

    func value(_ target: StaffingTarget, agents n: Int, serviceLevelIgnoringPatience: Bool = false) -> Double? {
        switch target {
        case .serviceLevel(let t, _, let basis):
            guard patience == nil || serviceLevelIgnoringPatience, basis == .offered else { return nil }
            return QueueingTheory.erlangC(arrivalRate: lambda, aht: aht, agents: n)?.serviceLevel(within: t)
        case .averageSpeedOfAnswer:
            if let patience {
                return QueueingTheory.erlangA(arrivalRate: lambda, aht: aht, meanPatience: patience, agents: max(n, 1))
                    .averageSpeedOfAnswer
            }
            return QueueingTheory.erlangC(arrivalRate: lambda, aht: aht, agents: n)?.averageSpeedOfAnswer
        case .abandonRate:
            guard let patience else { return 0 }
            return QueueingTheory.erlangA(arrivalRate: lambda, aht: aht, meanPatience: patience, agents: max(n, 1))
                .probabilityOfAbandon
        }
    }

    /// The smallest staffing whose model values meet every target it covers (service level with
    /// patience from Erlang C: callers who would abandon still count).
    func smallestMeeting(_ targets: [StaffingTarget], in range: ClosedRange<Int>) -> Int? {
        let covered = targets.filter(covers)
        guard !covered.isEmpty else { return nil }
        // nil for a covered target: the queue is unstable at n (load >= n), so not met.
        return range.first { n in
            covered.allSatisfy { t in value(t, agents: n, serviceLevelIgnoringPatience: true).map(t.isMet) ?? false }
        }
    }

    /// Whether the model gives this target's metric (an SL of answered calls has no closed form here).
    func covers(_ target: StaffingTarget) -> Bool {
        if case .serviceLevel(_, _, let basis) = target { return basis == .offered }
        return true
    }

    func description(for targets: [StaffingTarget]) -> StaffingPlanner.ClosedForm {
        var notes: [String] = []
        for case .serviceLevel(_, _, let basis) in targets {
            if basis == .answered { notes.append("a service level of answered calls has no closed form here; only the simulation judges it") }
            else if patience != nil { notes.append("service level by Erlang C (abandonment ignored): Erlang A gives no service level here") }
        }
        return StaffingPlanner.ClosedForm(
            model: patience == nil ? "Erlang C" : "Erlang A", arrivalRate: lambda, handleTime: aht, talkTime: talk,
            answerDelay: ring, wrapUp: wrapUp, patience: patience, agents: nil, notes: notes)
    }
}
