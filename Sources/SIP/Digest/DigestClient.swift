/// The client side of SIP digest authentication (RFC 3261 §22.2-22.3, RFC 7616, RFC 8760), for
/// virtual phones: read the challenges of a 401/407, pick the best algorithm (SHA-256 over MD5),
/// and sign requests with a fresh cnonce and an incrementing nonce-count. A value; randomness for
/// the cnonce is injected.
public struct DigestClient: Sendable {
    /// One usable challenge.
    public struct Challenge: Sendable, Equatable {
        public var realm: String
        public var nonce: String
        public var algorithm: DigestAlgorithm
        public var opaque: String?
        /// qop=auth offered; false means RFC 2069 style (no cnonce, no nc).
        public var qopAuth: Bool
        public var stale: Bool
        /// `Authorization` for a 401, `Proxy-Authorization` for a 407.
        public var credentialsHeader: String
    }

    public enum ChallengeOutcome: Equatable, Sendable {
        /// Ready: the next `authorize` will sign with this challenge.
        case ready(Challenge)
        /// The server refused the credentials we just sent for the same nonce and did not say
        /// stale: the password is wrong; retrying would loop (RFC 3261 §22.2).
        case credentialsRejected
        /// No Digest challenge with an algorithm and qop we support.
        case noSupportedChallenge
    }

    public let username: String
    private let password: String
    public private(set) var challenge: Challenge?
    /// The last nonce-count used with the current nonce.
    public private(set) var nonceCount: UInt32 = 0

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Takes a 401 or 407 to `request` (the request it answers) and keeps its best challenge.
    /// RFC 3261 §22.2: when `request` already carried our credentials for that realm and the
    /// server challenges again without `stale=true`, the password is wrong: retrying would loop.
    public mutating func received(challenge response: SIPMessage, for request: SIPMessage) -> ChallengeOutcome {
        guard let best = Self.bestChallenge(in: response) else { return .noSupportedChallenge }
        if !best.stale, Self.carriesCredentials(request, header: best.credentialsHeader, username: username, realm: best.realm) {
            return .credentialsRejected
        }
        challenge = best
        nonceCount = 0
        return .ready(best)
    }

    private static func carriesCredentials(_ request: SIPMessage, header: String, username: String, realm: String) -> Bool {
        request.headerValues(header).contains { value in
            guard let p = try? DigestParameters.parse(value) else { return false }
            return p.isDigest && p["realm"] == realm && p["username"] == username
        }
    }

    /// The challenges of a 401 (`WWW-Authenticate`) or 407 (`Proxy-Authenticate`) we can answer,
    /// best first: SHA-256 before MD5, then in the server's order.
    public static func challenges(in response: SIPMessage) -> [Challenge] {
        let (headerName, credentials) = response.status == 407
            ? ("Proxy-Authenticate", "Proxy-Authorization") : ("WWW-Authenticate", "Authorization")
        var found: [Challenge] = []
        for value in response.headerValues(headerName) {
            guard let p = try? DigestParameters.parse(value), p.isDigest, let realm = p["realm"], let nonce = p["nonce"],
                  let algorithm = DigestAlgorithm(token: p["algorithm"] ?? "MD5")
            else { continue }
            var qopAuth = false
            if let qop = p["qop"] {
                // RFC 7616 §3.3: qop is a quoted, comma-separated list of options.
                let options = qop.split(separator: ",").map { $0.trimmingWhitespaceAndLowercased }
                guard options.contains("auth") else { continue }
                qopAuth = true
            }
            found.append(Challenge(
                realm: realm, nonce: nonce, algorithm: algorithm, opaque: p["opaque"], qopAuth: qopAuth,
                stale: p["stale"]?.lowercased() == "true", credentialsHeader: credentials))
        }
        let rank: (DigestAlgorithm) -> Int = { $0 == .sha256 ? 0 : 1 }
        return found.enumerated().sorted { (rank($0.element.algorithm), $0.offset) < (rank($1.element.algorithm), $1.offset) }.map(\.element)
    }

    public static func bestChallenge(in response: SIPMessage) -> Challenge? { challenges(in: response).first }

    /// The credentials header for `method` and `uri` with the current challenge, using the next
    /// nonce-count and the given cnonce. Nil before any challenge.
    public mutating func authorization(method: String, uri: String, cnonce: String) -> Header? {
        guard let c = challenge else { return nil }
        nonceCount &+= 1
        let nc = Self.formatCount(nonceCount)
        let ha1 = c.algorithm.ha1(username: username, realm: c.realm, password: password)
        let response = c.algorithm.response(
            ha1: ha1, nonce: c.nonce, nc: c.qopAuth ? nc : nil, cnonce: c.qopAuth ? cnonce : nil,
            qop: c.qopAuth ? "auth" : nil, method: method, uri: uri)
        var params: [(name: String, value: String, quoted: Bool)] = [
            ("username", username, true), ("realm", c.realm, true), ("nonce", c.nonce, true), ("uri", uri, true),
            ("response", response, true), ("algorithm", c.algorithm.rawValue, false),
        ]
        if c.qopAuth { params += [("cnonce", cnonce, true), ("qop", "auth", false), ("nc", nc, false)] }
        if let opaque = c.opaque { params.append(("opaque", opaque, true)) }
        return Header(c.credentialsHeader, DigestParameters.format(scheme: "Digest", params))
    }

    /// Signs `request` (replacing earlier credentials of the same kind) with a random cnonce.
    /// The caller gives the retried request a new CSeq and branch (§22.2). False before any challenge.
    @discardableResult
    public mutating func authorize(_ request: inout SIPMessage, using rng: inout some RandomNumberGenerator) -> Bool {
        guard let method = request.method, let uri = request.requestURI else { return false }
        let cnonce = hex((0..<2).flatMap { _ in withUnsafeBytes(of: rng.next()) { Array($0) } })
        guard let header = authorization(method: method, uri: uri.description, cnonce: cnonce) else { return false }
        request.setHeader(header.name, header.value)
        return true
    }

    static func formatCount(_ n: UInt32) -> String {
        let digits = String(n, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

extension Substring {
    fileprivate var trimmingWhitespaceAndLowercased: String { String(self).trimmingWhitespace.lowercased() }
}
