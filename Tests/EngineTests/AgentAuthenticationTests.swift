import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// Digest authentication of agents in the B2BUA core (REGISTER and agent-control MESSAGE).
struct AgentAuthenticationTests {
    var core: B2BUA
    var rng = IdentityGenerator(seed: 9, host: "127.0.0.1")

    init() throws {
        let realm = "ccengine"
        var alice = AgentAccount(login: "alice")
        alice.ha1MD5 = DigestAlgorithm.md5.ha1(username: "alice", realm: realm, password: "pw")
        alice.ha1SHA256 = DigestAlgorithm.sha256.ha1(username: "alice", realm: realm, password: "pw")
        let routing = CallCenterConfig(callsRequireNode: false, defaultRecipe: [], queues: [QueueConfig(name: "support")], agents: [AgentConfig(login: "alice"), AgentConfig(login: "bob")])
        core = B2BUA(settings: .init(sip: TestPhones.engine, mediaHost: "127.0.0.1"), center: try CallCenter(config: routing),
                     agents: ["alice", "bob"], queues: ["support"], seed: 1,
                     authenticator: AgentAuthenticator(realm: realm, accounts: [alice, AgentAccount(login: "bob")], required: true, secret: Array(repeating: 7, count: 32)))
    }

    mutating func register(_ m: SIPMessage, at t: Duration = .seconds(1)) -> SIPMessage? {
        core.handle(.received(m, from: TestPhones.alice), now: t).sent.first?.0
    }

    mutating func signed(password: String, after challenge: SIPMessage, request: SIPMessage) -> SIPMessage {
        var client = DigestClient(username: "alice", password: password)
        _ = client.received(challenge: challenge, for: request)
        var again = request
        again.cseq.number += 1
        again.via = [Via(host: "127.0.0.1", port: 7100, branch: "z9hG4bK-second")]
        _ = client.authorize(&again, using: &rng)
        return again
    }

    @Test mutating func registerWithoutCredentialsIsChallengedWithSHA256First() throws {
        let r = try #require(register(TestPhones.register("alice", from: TestPhones.alice)))
        #expect(r.status == 401)
        let challenges = r.headerValues("WWW-Authenticate")
        #expect(challenges.count == 2)
        #expect(challenges.first?.contains("SHA-256") == true)
        #expect(core.center.agentState("alice") == .offline)
    }

    @Test mutating func rightPasswordRegisters() throws {
        let first = TestPhones.register("alice", from: TestPhones.alice)
        let challenge = try #require(register(first))
        let ok = try #require(register(signed(password: "pw", after: challenge, request: first)))
        #expect(ok.status == 200)
        #expect(core.center.agentState("alice") == .available)
    }

    @Test mutating func wrongPasswordIsForbidden() throws {
        let first = TestPhones.register("alice", from: TestPhones.alice)
        let challenge = try #require(register(first))
        let r = try #require(register(signed(password: "nope", after: challenge, request: first)))
        #expect(r.status == 403)
        #expect(core.center.agentState("alice") == .offline)
    }

    @Test mutating func replayedCredentialsAreChallengedAgain() throws {
        let first = TestPhones.register("alice", from: TestPhones.alice)
        let challenge = try #require(register(first))
        let signedRequest = signed(password: "pw", after: challenge, request: first)
        #expect(register(signedRequest)?.status == 200)
        let again = try #require(register(signedRequest, at: .seconds(2)))
        #expect(again.status == 401)
        #expect(again.headerValues("WWW-Authenticate").first?.contains("stale=true") == true)
    }

    @Test mutating func expiredNonceIsStale() throws {
        let first = TestPhones.register("alice", from: TestPhones.alice)
        let challenge = try #require(register(first))
        let late = try #require(register(signed(password: "pw", after: challenge, request: first), at: .seconds(1000)))
        #expect(late.status == 401)
        #expect(late.headerValues("WWW-Authenticate").first?.contains("stale=true") == true)
    }

    @Test mutating func credentialsOfAnotherAgentAreRefused() throws {
        // bob has no credentials at all: a REGISTER for bob signed as alice is refused.
        var first = TestPhones.register("bob", from: TestPhones.alice)
        first.from.uri.user = "bob"
        let challenge = try #require(register(first))
        let r = try #require(register(signed(password: "pw", after: challenge, request: first)))
        #expect(r.status == 403)
    }
}

/// No enumeration of logins: an unknown login is answered exactly as a wrong password.
struct UnknownLoginTests {
    @Test func unknownLoginGetsTheSameChallengeAndRefusalAsAWrongPassword() throws {
        var t = try AgentAuthenticationTests()
        var rng = IdentityGenerator(seed: 3, host: "127.0.0.1")
        func attempt(_ login: String, password: String, t: inout AgentAuthenticationTests) throws -> (SIPMessage, SIPMessage) {
            let first = TestPhones.register(login, from: TestPhones.alice)
            let c = t.register(first)
            let challenge = try #require(c)
            var client = DigestClient(username: login, password: password)
            _ = client.received(challenge: challenge, for: first)
            var again = first
            again.cseq.number += 1
            again.via = [Via(host: "127.0.0.1", port: 7100, branch: "z9hG4bK-second-\(login)")]
            _ = client.authorize(&again, using: &rng)
            let answer = t.register(again)
            return (challenge, try #require(answer))
        }
        let (c1, wrong) = try attempt("alice", password: "nope", t: &t)
        let (c2, unknown) = try attempt("mallory", password: "whatever", t: &t)
        #expect(c1.status == 401 && c2.status == 401)
        #expect(c1.headerValues("WWW-Authenticate").count == c2.headerValues("WWW-Authenticate").count)
        #expect(wrong.status == 403 && unknown.status == 403)
        #expect(wrong.startLine == unknown.startLine)
        #expect(wrong.headers.map(\.name) == unknown.headers.map(\.name))
    }
}
