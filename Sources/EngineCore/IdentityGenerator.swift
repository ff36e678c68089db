import Primitives

/// Tags, branches and Call-IDs (RFC 3261 §19.3), drawn from a seeded generator so that a run
/// can be replayed exactly. Uniqueness across restarts comes from the seed (the driver seeds it
/// from the wall clock; tests seed it with a constant).
public struct IdentityGenerator: Sendable, RandomNumberGenerator {
    private var random: SplitMix
    private var counter: UInt64 = 0
    public let host: String

    public init(seed: UInt64, host: String) {
        self.random = SplitMix(seed: seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed)
        self.host = host
    }

    public mutating func next() -> UInt64 { random.next() }

    public mutating func tag() -> String { String(next() & 0xFFFF_FFFF_FFFF, radix: 36) }

    /// RFC 3261 §8.1.1.7: branches start with the magic cookie.
    public mutating func branch() -> String { "z9hG4bK" + String(next(), radix: 36) }

    public mutating func callID() -> String {
        counter += 1
        return "cc\(counter)-\(String(next(), radix: 36))@\(host)"
    }
}
