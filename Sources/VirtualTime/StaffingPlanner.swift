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
        public var metric: ConfidenceInterval
        /// The point estimate meets the target.
        public var meetsTarget: Bool
        /// The Erlang C (or A, with exponential patience) value, when the scenario has one.
        public var erlang: Double?
    }

    public struct PlanResult: Sendable, Codable, Equatable {
        public var target: StaffingTarget
        public var group: Int
        /// The smallest staffing in the range whose point estimate meets the target; nil if none.
        public var agents: Int?
        public var metric: ConfidenceInterval?
        /// The whole CI of `agents` meets the target and that of `agents - 1` (when tried) misses
        /// it: the choice does not hinge on simulation noise.
        public var confident: Bool
        /// Smallest staffing meeting the target by Erlang formulas, when they apply.
        public var erlangEstimate: Int?
        /// Staffing levels `agents - 2 ... agents + 2` (within the range), ascending.
        public var curve: [Point]
        /// Every staffing level simulated, ascending.
        public var tried: [Point]
    }

    /// Plans group `group` of `scenario` within `range` agents.
    public func plan(
        scenario: VirtualScenario, group: Int, target: StaffingTarget, range: ClosedRange<Int>
    ) throws(VirtualScenarioError) -> PlanResult {
        guard scenario.agentGroups.indices.contains(group) else {
            throw .unknownGroup(group, count: scenario.agentGroups.count)
        }
        guard range.lowerBound >= 0 else {
            throw .invalidValue(field: "staffing range", context: "planner", expected: "zero agents or more")
        }
        guard replications >= 1 else {
            throw .invalidValue(field: "replications", context: "planner", expected: "at least 1")
        }
        var base = scenario
        base.keepCalls = false
        if case .serviceLevel(let t, _, _) = target, !base.serviceLevelThresholds.contains(t) {
            base.serviceLevelThresholds.append(t)
        }
        if let calls {
            for s in base.customerStreams.indices { base.customerStreams[s].calls = calls }
        }
        let erlang = ErlangView(scenario: base, group: group, target: target)
        var cache: [Int: Point] = [:]
        func point(_ n: Int) throws(VirtualScenarioError) -> Point {
            if let known = cache[n] { return known }
            let metric = try measure(base.staffed(group: group, agents: n, loginPrefix: loginPrefix, skills: skills),
                                     target: target)
            let p = Point(agents: n, metric: metric, meetsTarget: target.isMet(by: metric.estimate),
                          erlang: erlang?.value(agents: n).flatMap { $0.isFinite ? $0 : nil })
            cache[n] = p
            return p
        }

        let estimate = erlang?.smallestMeeting(in: range)
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
            let below = cache[answer - 1]
            let wholly = { (ci: ConfidenceInterval, meets: Bool) -> Bool in
                target.isMet(by: ci.lower) == meets && target.isMet(by: ci.upper) == meets
            }
            confident = wholly(p.metric, true) && (below.map { wholly($0.metric, false) } ?? true)
        }
        return PlanResult(
            target: target, group: group, agents: answer, metric: answer.flatMap { cache[$0]?.metric },
            confident: confident, erlangEstimate: estimate, curve: curve,
            tried: cache.values.sorted { $0.agents < $1.agents })
    }

    private func measure(_ scenario: VirtualScenario, target: StaffingTarget) throws(VirtualScenarioError)
        -> ConfidenceInterval
    {
        if replications == 1 {
            let result = try VirtualTimeRunner.run(scenario)
            return target.metric(of: result) ?? ConfidenceInterval(estimate: .nan, halfWidth: .infinity, method: "none")
        }
        var values: [Double] = []
        for k in 0..<replications {
            var s = scenario
            s.seed = SplitMix.derivedSeed(scenario.seed, stream: UInt64(k), purpose: 7)
            if let m = target.metric(of: try VirtualTimeRunner.run(s))?.estimate, !m.isNaN { values.append(m) }
        }
        return BatchMeans.interval(replications: values)
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

/// The Erlang view of a plan, when the scenario is one Poisson stream served by the group alone.
private struct ErlangView {
    let lambda: Double
    let aht: Double
    let patience: Double?
    let target: StaffingTarget

    init?(scenario: VirtualScenario, group: Int, target: StaffingTarget) {
        guard scenario.agentGroups.count == 1, scenario.customerStreams.count == 1,
            case .poisson(let rate, _) = scenario.customerStreams[0].arrivals
        else { return nil }
        let g = scenario.agentGroups[group]
        let stream = scenario.customerStreams[0]
        lambda = rate
        // Agents are busy while ringing, talking and wrapping up.
        aht = (g.talkTime ?? stream.holdTime).mean + g.answerDelay.mean
            + seconds(nanoseconds(scenario.routing.wrapUpTime))
        if case .exponential(let m) = stream.patience { patience = m } else if stream.patience == nil {
            patience = nil
        } else {
            return nil
        }
        self.target = target
    }

    func value(agents n: Int) -> Double? {
        switch target {
        case .serviceLevel(let t, _, _):
            guard patience == nil else { return nil }
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

    func smallestMeeting(in range: ClosedRange<Int>) -> Int? {
        // With patience, SL falls back to Erlang C (callers who would abandon still count).
        let view = ErlangView(copy: self, dropPatienceForSL: true)
        return range.first { n in view.value(agents: n).map(target.isMet) ?? false }
    }

    private init(copy: ErlangView, dropPatienceForSL: Bool) {
        lambda = copy.lambda
        aht = copy.aht
        target = copy.target
        if case .serviceLevel = copy.target, dropPatienceForSL { patience = nil } else { patience = copy.patience }
    }
}
