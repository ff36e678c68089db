import SIP

/// Digest authentication of agents (RFC 3261 §22, RFC 7616/8760: SHA-256 and MD5, qop=auth) for
/// REGISTER and the agent-control MESSAGE. Passwords are never kept: only HA1 per algorithm.
/// Missing or stale credentials get a 401 challenge; a wrong password gets 403; credentials for
/// another user than the address of record get 403; an unparsable header gets 400.
public struct AgentAuthenticator: Sendable {
    public enum Outcome: Sendable, Equatable {
        case authenticated
        case reply(SIPMessage, log: String?)
    }

    private var challenger: DigestChallenger
    private var accounts: [String: AgentAccount]
    public let required: Bool
    /// Checked against for logins that do not exist, so they cost what a wrong password costs
    /// and get the same 403 (RFC 3261 §26.3.2.4 spirit: no enumeration of users).
    private let unknownLogin: AgentAccount

    /// The agents' credentials from now on (a reload).
    mutating func setAccounts(_ list: [AgentAccount]) {
        accounts = Dictionary(list.map { ($0.login, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public init(realm: String, accounts: [AgentAccount], required: Bool, secret: [UInt8], algorithms: [DigestAlgorithm] = [.sha256, .md5]) {
        challenger = DigestChallenger(realm: realm, secret: secret, algorithms: algorithms)
        self.accounts = Dictionary(accounts.map { ($0.login, $0) }, uniquingKeysWith: { a, _ in a })
        self.required = required
        let hex = secret.map { String($0, radix: 16) }.joined()
        unknownLogin = AgentAccount(login: "", ha1MD5: String((hex + String(repeating: "0", count: 32)).prefix(32)),
                                    ha1SHA256: String((hex + String(repeating: "0", count: 64)).prefix(64)))
    }

    public mutating func check(_ request: SIPMessage, agent: String, toTag: String, now: Duration, rng: inout IdentityGenerator) -> Outcome {
        guard required else { return .authenticated }
        let verdict = challenger.verify(request, now: now) { [accounts, unknownLogin] user, algorithm in
            let account = accounts[user] ?? unknownLogin
            return switch algorithm {
            case .md5: account.ha1MD5
            case .sha256: account.ha1SHA256
            }
        }
        switch verdict {
        case .ok(let username) where username == agent:
            return .authenticated
        case .ok(let username):
            return .reply(request.response(403, "Forbidden (credentials of '\(username)' for '\(agent)')", toTag: toTag),
                          log: "\(request.method ?? "") for \(agent) authenticated as \(username): refused 403")
        case .missing:
            return .reply(challenger.challengeResponse(to: request, toTag: toTag, now: now, using: &rng), log: nil)
        case .stale, .replayed:
            return .reply(challenger.challengeResponse(to: request, toTag: toTag, now: now, stale: true, using: &rng), log: nil)
        case .wrongCredentials:
            return .reply(request.response(403, "Forbidden (wrong credentials)", toTag: toTag),
                          log: "\(request.method ?? "") for \(agent): wrong credentials, refused 403")
        case .malformed(let why):
            return .reply(request.response(400, "Bad Request (\(why))", toTag: toTag),
                          log: "\(request.method ?? "") for \(agent): bad Authorization header (\(why)), answered 400")
        }
    }
}
