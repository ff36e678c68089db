/// The registrar's (or a proxy's) side of SIP digest authentication (RFC 3261 §22, RFC 7616,
/// RFC 8760): challenges with stateless expiring nonces, and verification of credentials against
/// a stored HA1 per algorithm. A value: `now` and randomness come in, nothing reads a clock.
///
/// Replay protection: after a response verifies, the nonce's highest nonce-count is remembered and
/// a request with the same or a lower `nc` is refused (`.replayed`). Entries are forgotten once
/// their nonce has expired, so memory is bounded by the nonces used within one lifetime, and hard
/// capped by `maximumTrackedNonces` (reaching it makes every older nonce stale at once).
public struct DigestChallenger: Sendable {
    /// Which header pair to use: 401 with `WWW-Authenticate` / `Authorization` (registrar, UAS)
    /// or 407 with `Proxy-Authenticate` / `Proxy-Authorization` (proxy).
    public enum Role: Sendable {
        case server, proxy

        public var challengeHeader: String { self == .server ? "WWW-Authenticate" : "Proxy-Authenticate" }
        public var credentialsHeader: String { self == .server ? "Authorization" : "Proxy-Authorization" }
        public var challengeStatus: Int { self == .server ? 401 : 407 }
    }

    public let realm: String
    public let role: Role
    public let nonceLifetime: Duration
    /// Offered in this order, one challenge header each (RFC 8760 §2.4: most preferred first).
    public let algorithms: [DigestAlgorithm]
    /// Refuse credentials without qop=auth (RFC 2069 style), which carry no nonce-count.
    public let requireQop: Bool
    public let maximumTrackedNonces: Int

    private let mint: DigestNonceMint
    private var nonceCounts: [String: TrackedNonce] = [:]
    private var nextSweep: Duration = .zero
    /// Nonces issued before this are treated as stale (set when the table hits its cap).
    private var staleBefore: Duration = .zero

    private struct TrackedNonce: Sendable {
        var lastCount: UInt32
        let issuedAt: Duration
    }

    /// `secret`: at least 32 random bytes, e.g. generated at startup (nonces then go stale on
    /// restart, which clients survive by re-authenticating) or read from configuration.
    public init(
        realm: String, secret: [UInt8], role: Role = .server, nonceLifetime: Duration = .seconds(300),
        algorithms: [DigestAlgorithm] = [.sha256, .md5], requireQop: Bool = true, maximumTrackedNonces: Int = 100_000
    ) {
        precondition(!secret.isEmpty, "the nonce secret must not be empty")
        precondition(!algorithms.isEmpty, "offer at least one algorithm")
        self.realm = realm
        self.role = role
        self.nonceLifetime = nonceLifetime
        self.algorithms = algorithms
        self.requireQop = requireQop
        self.maximumTrackedNonces = maximumTrackedNonces
        self.mint = DigestNonceMint(secret: secret, realm: realm)
    }

    /// RFC 7616 §3.4.2: what a user store keeps instead of the password, one per algorithm.
    public static func ha1(username: String, realm: String, password: String, algorithm: DigestAlgorithm) -> String {
        algorithm.ha1(username: username, realm: realm, password: password)
    }

    /// How many nonces are tracked for replay protection now.
    public var trackedNonceCount: Int { nonceCounts.count }

    // MARK: Challenging

    /// The challenge headers for a 401/407 (RFC 3261 §22.1, RFC 8760 §2.4): one per algorithm,
    /// SHA-256 first, sharing one fresh nonce, qop="auth". `stale` tells the client its password
    /// was right and only the nonce was old (RFC 7616 §3.3), so it retries without asking anyone.
    public func challenges(now: Duration, stale: Bool = false, using rng: inout some RandomNumberGenerator) -> [Header] {
        let nonce = mint.mint(issuedAt: now, random: rng.next())
        return algorithms.map { algorithm in
            var params: [(name: String, value: String, quoted: Bool)] = [
                ("realm", realm, true), ("nonce", nonce, true), ("algorithm", algorithm.rawValue, false), ("qop", "auth", true),
            ]
            if stale { params.append(("stale", "true", false)) }
            return Header(role.challengeHeader, DigestParameters.format(scheme: "Digest", params))
        }
    }

    /// A 401/407 for `request` carrying the challenges (To tag added when the request has none).
    public func challengeResponse(
        to request: SIPMessage, toTag: String, now: Duration, stale: Bool = false, using rng: inout some RandomNumberGenerator
    ) -> SIPMessage {
        var r = request.response(role.challengeStatus, toTag: toTag)
        r.headers += challenges(now: now, stale: stale, using: &rng)
        return r
    }

    // MARK: Verifying

    /// Checks the credentials in `request` for our realm. `ha1` looks up the stored HA1 for a
    /// username and algorithm (nil: unknown user, reported as `.wrongCredentials`).
    public mutating func verify(
        _ request: SIPMessage, now: Duration, ha1: (_ username: String, _ algorithm: DigestAlgorithm) -> String?
    ) -> DigestVerdict {
        guard let method = request.method else { return .malformed("a response carries no credentials") }
        let values = request.headerValues(role.credentialsHeader)
        guard !values.isEmpty else { return .missing }
        // RFC 3261 §22.3: a request may carry credentials for several realms; ours decides.
        var firstProblem: DigestVerdict?
        for value in values {
            if let params = try? DigestParameters.parse(value), params.isDigest, params["realm"] != realm { continue }
            let verdict = verify(authorization: value, method: method, now: now, ha1: ha1)
            if case .malformed = verdict, firstProblem == nil { firstProblem = verdict; continue }
            return verdict
        }
        return firstProblem ?? .missing
    }

    /// Checks one `Authorization` header value for a request with `method`.
    public mutating func verify(
        authorization: String, method: String, now: Duration, ha1 lookup: (_ username: String, _ algorithm: DigestAlgorithm) -> String?
    ) -> DigestVerdict {
        let p: DigestParameters
        do { p = try DigestParameters.parse(authorization) } catch { return .malformed(error.reason) }
        guard p.isDigest else { return .malformed("scheme \(p.scheme) is not Digest") }
        for name in ["username", "realm", "nonce", "uri", "response"] where p[name] == nil {
            return .malformed("\(role.credentialsHeader) has no \(name) parameter")
        }
        let username = p["username"]!, nonce = p["nonce"]!, uri = p["uri"]!, response = p["response"]!.lowercased()
        guard p["realm"] == realm else { return .wrongCredentials }
        let algorithmToken = p["algorithm"] ?? "MD5"  // RFC 7616 §3.4: absent means MD5
        guard let algorithm = DigestAlgorithm(token: algorithmToken), algorithms.contains(algorithm) else {
            return .malformed("algorithm \(algorithmToken) is not one we offered (\(algorithms.map(\.rawValue).joined(separator: ", ")))")
        }

        var count: UInt32?
        if let qop = p["qop"] {
            guard qop.lowercased() == "auth" else { return .malformed("qop \(qop) is not supported (offered: auth)") }
            guard let nc = p["nc"], nc.utf8.count == 8, let n = UInt32(nc, radix: 16) else {
                return .malformed("nc must be 8 hex digits with qop=auth")
            }
            guard let cnonce = p["cnonce"], !cnonce.isEmpty else { return .malformed("cnonce is required with qop=auth") }
            count = n
        } else if requireQop {
            return .malformed("qop=auth is required")
        }

        guard let stored = lookup(username, algorithm) else { return .wrongCredentials }
        let expected = algorithm.response(
            ha1: stored.lowercased(), nonce: nonce, nc: p["qop"] == nil ? nil : p["nc"], cnonce: p["cnonce"],
            qop: p["qop"].map { $0.lowercased() }, method: method, uri: uri)
        guard constantTimeEquals(expected, response) else { return .wrongCredentials }

        // The password was right; now the nonce must be ours, current and not replayed.
        sweep(now: now)
        guard let issued = mint.issueTime(of: nonce), issued <= now, now - issued <= nonceLifetime, issued >= staleBefore else {
            return .stale
        }
        if let count {
            if let tracked = nonceCounts[nonce] {
                // RFC 7616 §3.4 / RFC 2617 §3.2.2: the same nc twice is a replay.
                guard count > tracked.lastCount else { return .replayed }
                nonceCounts[nonce]?.lastCount = count
            } else {
                if nonceCounts.count >= maximumTrackedNonces {
                    nonceCounts = [:]
                    staleBefore = now
                    return .stale
                }
                nonceCounts[nonce] = TrackedNonce(lastCount: count, issuedAt: issued)
            }
        }
        return .ok(username: username)
    }

    /// Forgets the counts of expired nonces (they would be refused as stale anyway).
    private mutating func sweep(now: Duration) {
        guard now >= nextSweep else { return }
        nextSweep = now + nonceLifetime / 4
        nonceCounts = nonceCounts.filter { now - $0.value.issuedAt <= nonceLifetime }
    }
}

/// The outcome of checking credentials.
public enum DigestVerdict: Equatable, Sendable {
    /// Authenticated.
    case ok(username: String)
    /// Right password, but the nonce expired or is not ours: challenge again with `stale: true`.
    case stale
    /// Unknown user or wrong password: challenge again (and count failures).
    case wrongCredentials
    /// The header cannot be used as it stands; answer 400 with the reason, or challenge again.
    case malformed(String)
    /// No credentials for our realm: challenge.
    case missing
    /// A nonce-count at or below one already seen for this nonce: a replayed request. Challenge
    /// again (a genuine client then uses a fresh nonce).
    case replayed
}
