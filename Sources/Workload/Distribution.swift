@_exported import Primitives
import Foundation

/// A random duration, as scenarios describe answer delays, talk times, patience and arrivals.
public enum Distribution: Sendable, Equatable {
    case constant(Double)
    case uniform(Double, Double)
    case exponential(mean: Double)
    /// Parameters of the underlying normal, from the wanted mean and standard deviation.
    case lognormal(mean: Double, stddev: Double)
    /// Samples drawn with equal probability from a list (e.g. read from a CSV of observed times).
    case empirical([Double])

    public var mean: Double {
        switch self {
        case .constant(let v): v
        case .uniform(let a, let b): (a + b) / 2
        case .exponential(let m): m
        case .lognormal(let m, _): m
        case .empirical(let xs): xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count)
        }
    }

    /// One sample in seconds.
    public func sample(_ rng: inout SplitMix) -> Double {
        switch self {
        case .constant(let v): return v
        case .uniform(let a, let b): return a + (b - a) * rng.unit()
        case .exponential(let m): return -m * log(1 - rng.unit())
        case .lognormal(let m, let s):
            let sigma2 = log(1 + (s * s) / (m * m))
            let mu = log(m) - sigma2 / 2
            // Box-Muller
            let z = sqrt(-2 * log(1 - rng.unit())) * cos(2 * .pi * rng.unit())
            return exp(mu + sqrt(sigma2) * z)
        case .empirical(let xs):
            return xs.isEmpty ? 0 : xs[Int(rng.next() % UInt64(xs.count))]
        }
    }
}

