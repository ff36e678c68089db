import Crypto

/// Stateless nonces (RFC 7616 §3.3 suggests "time-stamp H(time-stamp ":" ETag ":" secret)"):
/// hex(issue time in ms, 8 bytes | random, 8 bytes | HMAC-SHA256(secret, time|random|realm)
/// truncated to 16 bytes). The registrar keeps no table of issued nonces: it checks the MAC and
/// reads the issue time back, so nonces expire without bookkeeping and survive no secret change.
struct DigestNonceMint: Sendable {
    /// Kept as bytes: swift-crypto's `SymmetricKey` is not `Sendable`, and building one per
    /// nonce costs next to nothing.
    private let secret: [UInt8]
    private let realm: String

    init(secret: [UInt8], realm: String) {
        self.secret = secret
        self.realm = realm
    }

    func mint(issuedAt now: Duration, random: UInt64) -> String {
        let body = Self.bytes(Self.milliseconds(now)) + Self.bytes(random)
        return hex(body + mac(body))
    }

    /// The issue time of a nonce we minted, nil for anything else (forged, truncated, from a
    /// previous secret).
    func issueTime(of nonce: String) -> Duration? {
        guard let raw = Self.unhex(nonce), raw.count == 32 else { return nil }
        let body = Array(raw[0..<16])
        guard constantTimeEquals(hex(raw[16..<32]), hex(mac(body))) else { return nil }
        let ms = body[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return .milliseconds(Int64(clamping: ms))
    }

    private func mac(_ body: [UInt8]) -> [UInt8] {
        var h = HMAC<SHA256>(key: SymmetricKey(data: secret))
        h.update(data: body)
        h.update(data: Array(realm.utf8))
        return Array(Array(h.finalize()).prefix(16))
    }

    static func milliseconds(_ d: Duration) -> UInt64 {
        let (seconds, attoseconds) = d.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1000 + UInt64(attoseconds / 1_000_000_000_000_000)
    }

    private static func bytes(_ v: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> (UInt64($0) * 8)) }
    }

    private static func unhex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
