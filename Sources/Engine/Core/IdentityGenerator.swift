/// Tags, branches and Call-IDs (RFC 3261 §19.3), drawn from a seeded generator so that a run
/// can be replayed exactly. Uniqueness across restarts comes from the seed (the driver seeds it
/// from the wall clock; tests seed it with a constant).
public struct IdentityGenerator: Sendable, RandomNumberGenerator {
    private var state: UInt64
    private var counter: UInt64 = 0
    public let host: String

    public init(seed: UInt64, host: String) {
        self.state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
        self.host = host
    }

    /// splitmix64: small, fast, good enough for identifiers.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func tag() -> String { String(next() & 0xFFFF_FFFF_FFFF, radix: 36) }

    /// RFC 3261 §8.1.1.7: branches start with the magic cookie.
    public mutating func branch() -> String { "z9hG4bK" + String(next(), radix: 36) }

    public mutating func callID() -> String {
        counter += 1
        return "cc\(counter)-\(String(next(), radix: 36))@\(host)"
    }
}
