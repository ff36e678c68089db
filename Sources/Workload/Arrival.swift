import Foundation

/// How customer calls arrive. One place computes arrival times for both the real-engine run and
/// the virtual-time run (`next(after:_:)`), so the two see the same process.
public enum Arrival: Sendable, Equatable {
    /// One call every interval (seconds), the first at `start`.
    case every(Double, start: Double)
    /// Poisson arrivals at `rate` calls per second, from `start`.
    case poisson(rate: Double, start: Double)
    /// Poisson arrivals whose rate changes over time: a day's profile, bursts on a base rate.
    case profile(RateProfile)

    /// The first arrival time (nil `previous`) or the one after `previous`; nil when no more
    /// calls arrive (a profile whose rate stays zero).
    public func next(after previous: Double?, _ rng: inout SplitMix) -> Double? {
        switch self {
        case .every(let dt, let start):
            return previous.map { $0 + dt } ?? start
        case .poisson(let rate, let start):
            return (previous ?? start) + Distribution.exponential(mean: 1 / rate).sample(&rng)
        case .profile(let profile):
            return profile.next(after: previous ?? 0, &rng)
        }
    }
}

extension Arrival {
    /// The next arrival strictly before `end` (a stream's `stop`, the scenario's duration), or nil.
    public func next(after previous: Double?, _ rng: inout SplitMix, before end: Double) -> Double? {
        guard let t = next(after: previous, &rng), t < end else { return nil }
        return t
    }
}
