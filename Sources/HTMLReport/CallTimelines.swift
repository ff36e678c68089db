import Foundation

/// One call as a run records it: when it was offered, answered and ended (seconds on any
/// common clock), how it ended and who took it.
public struct CallTimeline: Sendable {
    public var offeredAt: Double
    public var answeredAt: Double?
    public var endedAt: Double?
    public var outcome: String
    public var agent: String?

    public init(offeredAt: Double, answeredAt: Double? = nil, endedAt: Double? = nil,
                outcome: String = "", agent: String? = nil) {
        self.offeredAt = offeredAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.agent = agent
    }

    /// Time in queue before answer, nil when not answered.
    public var waitTime: Double? { answeredAt.map { $0 - offeredAt } }
}

/// Time series and per-agent figures built from per-call timelines.
public enum CallTimelines {
    /// Calls offered but not yet answered or ended, sampled every `step` from the first offer
    /// (rounded down to a multiple of `step`) through the last timestamp, unless `from`/`to` say.
    /// A call with neither answer nor end stays queued.
    public static func queueLength(_ calls: [CallTimeline], step: Double, from: Double? = nil,
                                   to: Double? = nil) -> Series {
        let (lo, hi) = range(calls, step: step, from: from, to: to)
        return Histogramming.level(calls.map { ($0.offeredAt, $0.answeredAt ?? $0.endedAt) },
                                   step: step, from: lo, to: hi, name: "queue length")
    }

    /// Calls answered and not yet ended (agents busy on calls), sampled like `queueLength`.
    public static func busyAgents(_ calls: [CallTimeline], step: Double, from: Double? = nil,
                                  to: Double? = nil) -> Series {
        let (lo, hi) = range(calls, step: step, from: from, to: to)
        let talking = calls.compactMap { c in c.answeredAt.map { (start: $0, end: c.endedAt) } }
        guard !talking.isEmpty else {
            return Histogramming.level(calls.map { ($0.offeredAt, $0.offeredAt) }, step: step,
                                       from: lo, to: hi, name: "busy agents")
        }
        return Histogramming.level(talking, step: step, from: lo, to: hi, name: "busy agents")
    }

    /// Per interval of offer time (x = interval start, from the first offer rounded down to a
    /// multiple of `interval` unless `from` says): calls answered within `within` seconds of
    /// their offer, as a fraction of calls offered. Intervals with no offers are left out.
    public static func serviceLevel(_ calls: [CallTimeline], interval: Double, within: Double,
                                    from: Double? = nil) -> Series {
        Series(name: "service level (≤ \(ValueFormat.seconds.format(within)))",
               points: serviceLevelIntervals(calls, interval: interval, within: within, from: from).map { ($0.start, $0.serviceLevel) })
    }

    /// Per interval with at least one offer: its start, calls offered in it, and those answered
    /// within `within` (service level = met / offered).
    public static func serviceLevelIntervals(_ calls: [CallTimeline], interval: Double, within: Double,
                                             from: Double? = nil) -> [(start: Double, offered: Int, met: Int, serviceLevel: Double)] {
        let offers = calls.filter { $0.offeredAt.isFinite }
        guard interval > 0, let first = offers.map(\.offeredAt).min() else { return [] }
        let start = from ?? (first / interval).rounded(.down) * interval
        var offered: [Int: Int] = [:], met: [Int: Int] = [:]
        for c in offers where c.offeredAt >= start {
            let k = Int(((c.offeredAt - start) / interval).rounded(.down))
            offered[k, default: 0] += 1
            if let wait = c.waitTime, wait <= within { met[k, default: 0] += 1 }
        }
        return offered.keys.sorted().map { k in
            (start + Double(k) * interval, offered[k]!, met[k] ?? 0, Double(met[k] ?? 0) / Double(offered[k]!))
        }
    }

    /// Each agent's talk time within `from ..< from + span` as a fraction of `span`, agents in
    /// natural name order. A call answered but not ended counts as busy to the end of the span.
    public static func occupancy(_ calls: [CallTimeline], span: Double, from: Double = 0)
        -> [(agent: String, busyFraction: Double)] {
        guard span > 0 else { return [] }
        let end = from + span
        var busy: [String: Double] = [:]
        for c in calls {
            guard let agent = c.agent, let answered = c.answeredAt, answered.isFinite else { continue }
            let a = min(max(answered, from), end)
            let b = min(max(c.endedAt ?? end, from), end)
            busy[agent, default: 0] += max(0, b - a)
        }
        return busy.keys.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { ($0, busy[$0]! / span) }
    }

    /// Waits of answered calls (seconds), for a wait-time histogram.
    public static func waitTimes(_ calls: [CallTimeline]) -> [Double] {
        calls.compactMap(\.waitTime).filter(\.isFinite)
    }

    /// Calls per outcome, most frequent first (ties by name).
    public static func outcomes(_ calls: [CallTimeline]) -> [(outcome: String, count: Int)] {
        Dictionary(grouping: calls, by: \.outcome).map { ($0.key, $0.value.count) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    /// Shared sample range so queue and busy series line up: first offer rounded down to a
    /// multiple of `step`, through the latest timestamp of any call.
    static func range(_ calls: [CallTimeline], step: Double, from: Double?, to: Double?) -> (Double?, Double?) {
        let offers = calls.map(\.offeredAt).filter(\.isFinite)
        guard step > 0, let first = offers.min() else { return (from, to) }
        let stamps = calls.flatMap { [$0.offeredAt, $0.answeredAt, $0.endedAt].compactMap { $0 } }.filter(\.isFinite)
        return (from ?? (first / step).rounded(.down) * step, to ?? stamps.max())
    }
}
