import Foundation

/// A Poisson arrival rate that changes over the day: piecewise constant, each rate holding from
/// its start until the next one's (the last one until the run ends; none before the first).
public struct RateProfile: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        /// Seconds from the run's origin.
        public var start: Double
        /// Calls per second.
        public var rate: Double

        public init(start: Double, rate: Double) {
            self.start = start
            self.rate = rate
        }
    }

    /// Sorted by start.
    public let segments: [Segment]

    public init(_ segments: [Segment]) {
        self.segments = segments.sorted { $0.start < $1.start }
    }

    /// Rates in calls per hour, one per `interval` seconds starting at `start`
    /// (e.g. a forecast of calls per 15 minutes: `perHour: counts.map { $0 * 4 }, interval: 900`).
    public init(perHour rates: [Double], interval: Double, start: Double = 0) {
        self.init(rates.enumerated().map { i, r in
            Segment(start: start + Double(i) * interval, rate: r / 3600)
        })
    }

    /// Expected arrivals in `[from, to)`.
    public func expectedArrivals(from: Double, to: Double) -> Double {
        var total = 0.0
        for (i, s) in segments.enumerated() {
            let end = i + 1 < segments.count ? segments[i + 1].start : Double.infinity
            let a = max(from, s.start), b = min(to, end)
            if b > a { total += s.rate * (b - a) }
        }
        return total
    }

    /// This profile with bursts on top: each adds `calls` expected arrivals spread evenly over
    /// its `window` seconds (Poisson within the window).
    public func adding(bursts: [(at: Double, calls: Double, window: Double)]) -> RateProfile {
        var edges = Set(segments.map(\.start))
        for b in bursts { edges.insert(b.at); edges.insert(b.at + b.window) }
        return RateProfile(edges.sorted().map { t in
            let base = segments.last { $0.start <= t }?.rate ?? 0
            let extra = bursts.filter { t >= $0.at && t < $0.at + $0.window }.reduce(0) { $0 + $1.calls / $1.window }
            return Segment(start: t, rate: base + extra)
        })
    }

    /// The first arrival after `t`, by inverting the cumulative rate (exact for a
    /// non-homogeneous Poisson process); nil when the rate stays zero from `t` on.
    public func next(after t: Double, _ rng: inout SplitMix) -> Double? {
        var remaining = -log(1 - rng.unit())  // Exp(1) in units of expected arrivals
        var now = t
        var i = segments.lastIndex { $0.start <= now } ?? -1
        if i < 0 {
            guard let first = segments.first else { return nil }
            now = first.start
            i = 0
        }
        while true {
            let rate = segments[i].rate
            let end = i + 1 < segments.count ? segments[i + 1].start : Double.infinity
            if rate > 0, now + remaining / rate < end { return now + remaining / rate }
            if end == .infinity { return nil }
            remaining -= rate * (end - now)
            now = end
            i += 1
        }
    }
}
