import Foundation

/// Both decision kinds and the bare reference at one grid point.
public struct RoutingPointResult: Codable, Sendable, Equatable {
    public var point: RoutingGridPoint
    /// (a) `callArrived` answered with `ringAgent` while agents are available.
    public var callArrival: LatencySummary
    /// (b) `wrapUpDone` answered with `ringAgent` while `waitingCalls` calls wait.
    public var agentAvailable: LatencySummary
    /// Dictionary lookup + array pop, timed the same way.
    public var bareReference: LatencySummary
    /// Decisions that did not ring (expected 0; they are not recorded).
    public var missedRings: Int
    /// The core's waiting count at the end of (b): checks the population stayed at the grid's.
    public var waitingDuringAgentAvailable: Int

    /// p50 of the decision over p50 of the bare reference.
    public var callArrivalOverBare: Double { ratio(callArrival.p50Nanos, bareReference.p50Nanos) }
    public var agentAvailableOverBare: Double { ratio(agentAvailable.p50Nanos, bareReference.p50Nanos) }

    enum CodingKeys: String, CodingKey {
        case point, callArrival, agentAvailable, bareReference, missedRings,
            waitingDuringAgentAvailable, callArrivalOverBare, agentAvailableOverBare
    }

    public init(
        point: RoutingGridPoint, callArrival: LatencySummary, agentAvailable: LatencySummary,
        bareReference: LatencySummary, missedRings: Int, waitingDuringAgentAvailable: Int
    ) {
        self.point = point
        self.callArrival = callArrival
        self.agentAvailable = agentAvailable
        self.bareReference = bareReference
        self.missedRings = missedRings
        self.waitingDuringAgentAvailable = waitingDuringAgentAvailable
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        point = try c.decode(RoutingGridPoint.self, forKey: .point)
        callArrival = try c.decode(LatencySummary.self, forKey: .callArrival)
        agentAvailable = try c.decode(LatencySummary.self, forKey: .agentAvailable)
        bareReference = try c.decode(LatencySummary.self, forKey: .bareReference)
        missedRings = try c.decode(Int.self, forKey: .missedRings)
        waitingDuringAgentAvailable = try c.decode(Int.self, forKey: .waitingDuringAgentAvailable)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(point, forKey: .point)
        try c.encode(callArrival, forKey: .callArrival)
        try c.encode(agentAvailable, forKey: .agentAvailable)
        try c.encode(bareReference, forKey: .bareReference)
        try c.encode(missedRings, forKey: .missedRings)
        try c.encode(waitingDuringAgentAvailable, forKey: .waitingDuringAgentAvailable)
        try c.encode(callArrivalOverBare, forKey: .callArrivalOverBare)
        try c.encode(agentAvailableOverBare, forKey: .agentAvailableOverBare)
    }

    var line: String {
        "\(point): arrival p50 \(callArrival.p50Nanos) ns p99 \(callArrival.p99Nanos) ns; "
            + "agent-available p50 \(agentAvailable.p50Nanos) ns p99 \(agentAvailable.p99Nanos) ns; "
            + "bare p50 \(bareReference.p50Nanos) ns"
    }
}

func ratio(_ a: UInt64, _ b: UInt64) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

/// How p50 grows from the fewest to the most agents at fixed skills and waiting calls, against
/// logarithmic growth: log(large)/log(small) (= 2 for 10,000 vs 100 agents).
public struct RoutingGrowth: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case callArrival, agentAvailable }
    public var kind: Kind
    public var skills: Int
    public var waitingCalls: Int
    public var fewAgents: Int
    public var manyAgents: Int
    public var p50Few: UInt64
    public var p50Many: UInt64
    /// p50Many / p50Few.
    public var growthRatio: Double
    /// log(manyAgents) / log(fewAgents).
    public var logarithmicRatio: Double
    public var atMostLogarithmic: Bool

    /// One entry per (kind, skills, waiting) that has at least two agent counts.
    public static func fit(_ points: [RoutingPointResult]) -> [RoutingGrowth] {
        var groups: [[Int]: [RoutingPointResult]] = [:]
        var order: [[Int]] = []
        for p in points {
            let key = [p.point.skills, p.point.waitingCalls, p.point.queues]
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(p)
        }
        var result: [RoutingGrowth] = []
        for key in order {
            let sorted = groups[key]!.sorted { $0.point.agents < $1.point.agents }
            guard let few = sorted.first, let many = sorted.last, many.point.agents > few.point.agents,
                few.point.agents > 1
            else { continue }
            let logRatio = log(Double(many.point.agents)) / log(Double(few.point.agents))
            for kind in [Kind.callArrival, .agentAvailable] {
                let a = kind == .callArrival ? few.callArrival.p50Nanos : few.agentAvailable.p50Nanos
                let b = kind == .callArrival ? many.callArrival.p50Nanos : many.agentAvailable.p50Nanos
                let growth = ratio(b, a)
                result.append(
                    RoutingGrowth(
                        kind: kind, skills: key[0], waitingCalls: key[1], fewAgents: few.point.agents,
                        manyAgents: many.point.agents, p50Few: a, p50Many: b, growthRatio: growth,
                        logarithmicRatio: logRatio, atMostLogarithmic: growth <= logRatio))
            }
        }
        return result
    }
}

/// Everything one routing bench run measured; encodes into report.json.
public struct RoutingBenchResult: Codable, Sendable, Equatable {
    public var decisionsPerKind: Int
    public var warmupDecisions: Int
    public var seed: UInt64
    /// Two back-to-back clock reads: the floor under every figure.
    public var clockOverhead: LatencySummary
    public var points: [RoutingPointResult]
    public var growth: [RoutingGrowth]
    public var elapsedSeconds: Double

    /// A fixed-width table: one row per grid point and decision kind, then the growth fit.
    public func textTable() -> String {
        var out = "Routing decisions (ns; clock probe p50 \(clockOverhead.p50Nanos) ns; "
            + "\(decisionsPerKind) decisions per kind per point; \(fmt(elapsedSeconds, 1)) s)\n"
        out += pad("agents", 7) + pad("skills", 7) + pad("waiting", 8) + pad("queues", 7)
            + pad("decision", 16) + pad("p50", 8) + pad("p99", 8) + pad("p99.9", 9) + pad("max", 10)
            + pad("mean", 9) + pad("decisions/s", 13) + pad("x bare", 8) + "\n"
        for p in points {
            let rows: [(String, LatencySummary, String)] = [
                ("call-arrival", p.callArrival, fmt(p.callArrivalOverBare, 1)),
                ("agent-available", p.agentAvailable, fmt(p.agentAvailableOverBare, 1)),
                ("bare-reference", p.bareReference, "1.0"),
            ]
            for (name, s, times) in rows {
                out += pad("\(p.point.agents)", 7) + pad("\(p.point.skills)", 7)
                    + pad("\(p.point.waitingCalls)", 8) + pad("\(p.point.queues)", 7) + pad(name, 16)
                    + pad("\(s.p50Nanos)", 8) + pad("\(s.p99Nanos)", 8) + pad("\(s.p999Nanos)", 9)
                    + pad("\(s.maxNanos)", 10) + pad(fmt(s.meanNanos, 0), 9)
                    + pad(fmt(s.decisionsPerSecond, 0), 13) + pad(times, 8) + "\n"
            }
        }
        if !growth.isEmpty {
            out += "Growth of p50 with agents (logarithmic = log(many)/log(few)):\n"
            for g in growth {
                out += "  \(g.kind.rawValue) skills=\(g.skills) waiting=\(g.waitingCalls): "
                    + "\(g.fewAgents) -> \(g.manyAgents) agents, p50 \(g.p50Few) -> \(g.p50Many) ns, "
                    + "growth \(fmt(g.growthRatio, 2)) vs \(fmt(g.logarithmicRatio, 2)): "
                    + (g.atMostLogarithmic ? "at most logarithmic" : "faster than logarithmic") + "\n"
            }
        }
        return out
    }
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}

func fmt(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}
