/// splitmix64 (Steele, Lea and Flood 2014): the package's one seeded generator, so a seeded run
/// (routing tie-breaks, SIP identifiers, a scenario's arrivals, the bench's choices) replays exactly.
public struct SplitMix: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    /// An independent generator for one stream and purpose of a seeded run (arrivals of stream 2,
    /// answer delays of group 0...): the real-engine run and the virtual-time run draw the same
    /// numbers for the same seed.
    @inlinable public init(seed: UInt64, stream: UInt64, purpose: UInt64) {
        self.init(seed: Self.derivedSeed(seed, stream: stream, purpose: purpose))
    }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The seed of that generator (one splitmix step over seed, stream and purpose).
    @inlinable public static func derivedSeed(_ seed: UInt64, stream: UInt64, purpose: UInt64) -> UInt64 {
        mix(seed &+ (stream &+ 1) &* 0x9E37_79B9_7F4A_7C15 &+ purpose &* 0xD1B5_4A32_D192_ED03)
    }

    /// Uniform in [0, 1).
    @inlinable public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    @inlinable static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
