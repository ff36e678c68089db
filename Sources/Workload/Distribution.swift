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

/// splitmix64: the simulator's seeded generator, so a scenario with a seed replays exactly.
public struct SplitMix: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// An independent generator for one stream and purpose of a seeded run (arrivals of stream 2,
    /// answer delays of group 0...): the real-engine run and the virtual-time run draw the same
    /// numbers for the same seed.
    public init(seed: UInt64, stream: UInt64, purpose: UInt64) {
        self.init(seed: Self.derivedSeed(seed, stream: stream, purpose: purpose))
    }

    /// The seed of that generator (one splitmix step over seed, stream and purpose).
    public static func derivedSeed(_ seed: UInt64, stream: UInt64, purpose: UInt64) -> UInt64 {
        var z = seed &+ (stream &+ 1) &* 0x9E37_79B9_7F4A_7C15 &+ purpose &* 0xD1B5_4A32_D192_ED03
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
