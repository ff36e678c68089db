import Testing
@testable import SIP

private let realm = "cc.example"
private let secret: [UInt8] = Array(0..<32)

/// A user store holding HA1 per algorithm, never the password.
private let store: [String: [DigestAlgorithm: String]] = [
    "alice": Dictionary(uniqueKeysWithValues: DigestAlgorithm.allCases.map {
        ($0, DigestChallenger.ha1(username: "alice", realm: realm, password: "s3cret", algorithm: $0))
    }),
]
private func lookup(_ user: String, _ algorithm: DigestAlgorithm) -> String? { store[user]?[algorithm] }

private func register(branch: String = "z9hG4bK-r1", cseq: UInt32 = 1) -> SIPMessage {
    TransactionFixtures.request("REGISTER", branch: branch, cseq: cseq)
}

/// Challenge, answer with a DigestClient, return the signed request.
private func signedRegister(
    _ challenger: DigestChallenger, now: Duration, password: String = "s3cret", username: String = "alice",
    rng: inout TransactionFixtures.SeededGenerator
) -> (SIPMessage, DigestClient) {
    let challenge = challenger.challengeResponse(to: register(), toTag: "reg", now: now, using: &rng)
    var client = DigestClient(username: username, password: password)
    _ = client.received(challenge: challenge, for: register())
    var request = register(branch: "z9hG4bK-r2", cseq: 2)
    client.authorize(&request, using: &rng)
    return (request, client)
}

@Test func challengesOfferSHA256ThenMD5WithOneNonceAndQopAuth() throws {
    let challenger = DigestChallenger(realm: realm, secret: secret)
    var rng = TransactionFixtures.SeededGenerator(seed: 1)
    let headers = challenger.challenges(now: .seconds(5), using: &rng)
    #expect(headers.map(\.name) == ["WWW-Authenticate", "WWW-Authenticate"])
    let parsed = try headers.map { try DigestParameters.parse($0.value) }
    #expect(parsed.map { $0["algorithm"] } == ["SHA-256", "MD5"])
    #expect(parsed.allSatisfy { $0["realm"] == realm && $0["qop"] == "auth" && $0["stale"] == nil })
    #expect(parsed[0]["nonce"] == parsed[1]["nonce"])
    #expect(headers[0].value.contains("qop=\"auth\""))
    let stale = try DigestParameters.parse(challenger.challenges(now: .seconds(5), stale: true, using: &rng)[0].value)
    #expect(stale["stale"] == "true")
    #expect(stale["nonce"] != parsed[0]["nonce"])
}

@Test func aRegisterSignedByTheDigestClientVerifies() {
    var challenger = DigestChallenger(realm: realm, secret: secret)
    var rng = TransactionFixtures.SeededGenerator(seed: 2)
    let (request, _) = signedRegister(challenger, now: .seconds(100), rng: &rng)
    #expect(request.header("Authorization")?.contains("algorithm=SHA-256") == true)
    #expect(challenger.verify(request, now: .seconds(101), ha1: lookup) == .ok(username: "alice"))
}

@Test func credentialsSurviveTheCodecBothWays() throws {
    // libosip2 parses and reprints WWW-Authenticate and Authorization: check we still agree.
    var challenger = DigestChallenger(realm: realm, secret: secret)
    var rng = TransactionFixtures.SeededGenerator(seed: 3)
    let challenge = try SIPCodec.decode(SIPCodec.encode(challenger.challengeResponse(to: register(), toTag: "t", now: .seconds(1), using: &rng)))
    #expect(challenge.status == 401)
    var client = DigestClient(username: "alice", password: "s3cret")
    guard case .ready(let c) = client.received(challenge: challenge, for: register()) else { Issue.record("no challenge"); return }
    #expect(c.algorithm == .sha256)
    var request = register(branch: "z9hG4bK-r2", cseq: 2)
    #expect(client.authorize(&request, using: &rng))
    let onTheWire = try SIPCodec.decode(SIPCodec.encode(request))
    #expect(challenger.verify(onTheWire, now: .seconds(2), ha1: lookup) == .ok(username: "alice"))
}

@Test func anMD5OnlyClientIsAcceptedToo() {
    var challenger = DigestChallenger(realm: realm, secret: secret)
    var rng = TransactionFixtures.SeededGenerator(seed: 4)
    var challenge = challenger.challengeResponse(to: register(), toTag: "t", now: .zero, using: &rng)
    challenge.headers.removeAll { $0.value.contains("SHA-256") }
    var client = DigestClient(username: "alice", password: "s3cret")
    _ = client.received(challenge: challenge, for: register())
    var request = register(branch: "z9hG4bK-r2", cseq: 2)
    client.authorize(&request, using: &rng)
    #expect(request.header("Authorization")?.contains("algorithm=MD5") == true)
    #expect(challenger.verify(request, now: .seconds(1), ha1: lookup) == .ok(username: "alice"))
    // A challenger that offers only SHA-256 refuses MD5 credentials.
    var strict = DigestChallenger(realm: realm, secret: secret, algorithms: [.sha256])
    guard case .malformed = strict.verify(request, now: .seconds(1), ha1: lookup) else { Issue.record("MD5 accepted"); return }
}

@Test func nonceExpiryGivesStaleAndAStaleChallenge() throws {
    var challenger = DigestChallenger(realm: realm, secret: secret, nonceLifetime: .seconds(300))
    var rng = TransactionFixtures.SeededGenerator(seed: 5)
    let (request, _) = signedRegister(challenger, now: .seconds(1000), rng: &rng)
    #expect(challenger.verify(request, now: .seconds(1301), ha1: lookup) == .stale)
    var fresh = challenger
    #expect(fresh.verify(request, now: .seconds(1300), ha1: lookup) == .ok(username: "alice"))
    // A nonce from the future (clock went back, or forged) is stale as well.
    #expect(challenger.verify(request, now: .seconds(999), ha1: lookup) == .stale)
}

@Test func aRepeatedOrDecreasingNonceCountIsAReplay() throws {
    var challenger = DigestChallenger(realm: realm, secret: secret)
    var rng = TransactionFixtures.SeededGenerator(seed: 6)
    var (first, client) = signedRegister(challenger, now: .seconds(10), rng: &rng)
    #expect(challenger.verify(first, now: .seconds(11), ha1: lookup) == .ok(username: "alice"))
    #expect(challenger.verify(first, now: .seconds(12), ha1: lookup) == .replayed)
    // The next request on the same nonce, nc=2, is fine; then nc=1 again is not.
    var second = register(branch: "z9hG4bK-r3", cseq: 3)
    client.authorize(&second, using: &rng)
    #expect(try DigestParameters.parse(second.header("Authorization")!)["nc"] == "00000002")
    #expect(challenger.verify(second, now: .seconds(13), ha1: lookup) == .ok(username: "alice"))
    first.setHeader("Authorization", first.header("Authorization"))
    #expect(challenger.verify(first, now: .seconds(14), ha1: lookup) == .replayed)
}

@Test func wrongPasswordAndUnknownUserAreWrongCredentials() {
    var challenger = DigestChallenger(realm: realm, secret: secret)
    var rng = TransactionFixtures.SeededGenerator(seed: 7)
    let (wrong, _) = signedRegister(challenger, now: .zero, password: "guess", rng: &rng)
    #expect(challenger.verify(wrong, now: .seconds(1), ha1: lookup) == .wrongCredentials)
    let (stranger, _) = signedRegister(challenger, now: .zero, username: "mallory", rng: &rng)
    #expect(challenger.verify(stranger, now: .seconds(1), ha1: lookup) == .wrongCredentials)
}

@Test func aForgedNonceIsStaleEvenWithTheRightPassword() throws {
    var challenger = DigestChallenger(realm: realm, secret: secret)
    var rng = TransactionFixtures.SeededGenerator(seed: 8)
    var challenge = challenger.challengeResponse(to: register(), toTag: "t", now: .zero, using: &rng)
    // Move the issue time forward by editing the nonce: the MAC no longer matches.
    let nonce = try #require(try DigestParameters.parse(challenge.headers.last!.value)["nonce"])
    let forged = "0000000000ffffff" + nonce.dropFirst(16)
    challenge.headers = challenge.headers.map { h in
        let parts = h.value.split(separator: "\"", omittingEmptySubsequences: false).map { $0 == nonce ? Substring(forged) : $0 }
        return Header(h.name, parts.joined(separator: "\""))
    }
    var client = DigestClient(username: "alice", password: "s3cret")
    _ = client.received(challenge: challenge, for: register())
    var request = register(branch: "z9hG4bK-r2", cseq: 2)
    client.authorize(&request, using: &rng)
    #expect(challenger.verify(request, now: .seconds(1), ha1: lookup) == .stale)
    // A challenger with another secret (a restart) finds our nonces stale, not wrong.
    let (genuine, _) = signedRegister(challenger, now: .zero, rng: &rng)
    var restarted = DigestChallenger(realm: realm, secret: Array(repeating: 9, count: 32))
    #expect(restarted.verify(genuine, now: .seconds(1), ha1: lookup) == .stale)
}

@Test(arguments: [
    ("Digest username=\"alice\", realm=\"cc.example", "never ends"),
    ("Digest username=\"alice\", realm=\"cc.example\", uri=\"sip:x\", response=\"00\"", "nonce"),
    ("Basic YWxpY2U6czNjcmV0", "not Digest"),
    ("Digest username=\"alice\", realm=\"cc.example\", nonce=\"n\", uri=\"sip:x\", response=\"00\"", "qop=auth is required"),
    ("Digest username=\"alice\", realm=\"cc.example\", nonce=\"n\", uri=\"sip:x\", response=\"00\", qop=auth, nc=1, cnonce=\"c\"", "nc must be"),
    ("Digest username=\"alice\", realm=\"cc.example\", nonce=\"n\", uri=\"sip:x\", response=\"00\", algorithm=SHA-512-256, qop=auth, nc=00000001, cnonce=\"c\"", "SHA-512-256"),
])
func malformedAuthorizationIsMalformedWithAReason(header: String, reason: String) {
    var challenger = DigestChallenger(realm: realm, secret: secret)
    var request = register()
    request.headers.append(Header("Authorization", header))
    let verdict = challenger.verify(request, now: .zero, ha1: lookup)
    guard case .malformed(let why) = verdict else { Issue.record("\(verdict)"); return }
    #expect(why.contains(reason), "\(why)")
}

@Test func noCredentialsForOurRealmIsMissing() {
    var challenger = DigestChallenger(realm: realm, secret: secret)
    #expect(challenger.verify(register(), now: .zero, ha1: lookup) == .missing)
    var other = register()
    other.headers.append(Header("Authorization", "Digest username=\"alice\", realm=\"elsewhere\", nonce=\"n\", uri=\"sip:x\", response=\"0\""))
    #expect(challenger.verify(other, now: .zero, ha1: lookup) == .missing)
}

@Test func proxyRoleUses407AndProxyHeaders() {
    var challenger = DigestChallenger(realm: realm, secret: secret, role: .proxy)
    var rng = TransactionFixtures.SeededGenerator(seed: 9)
    let challenge = challenger.challengeResponse(to: register(), toTag: "t", now: .zero, using: &rng)
    #expect(challenge.status == 407)
    #expect(challenge.headerValues("Proxy-Authenticate").count == 2)
    var client = DigestClient(username: "alice", password: "s3cret")
    _ = client.received(challenge: challenge, for: register())
    var request = register(branch: "z9hG4bK-r2", cseq: 2)
    client.authorize(&request, using: &rng)
    #expect(request.header("Proxy-Authorization") != nil)
    #expect(request.header("Authorization") == nil)
    #expect(challenger.verify(request, now: .seconds(1), ha1: lookup) == .ok(username: "alice"))
}

@Test func replayMemoryIsForgottenAfterExpiryAndCapped() {
    var challenger = DigestChallenger(realm: realm, secret: secret, nonceLifetime: .seconds(300), maximumTrackedNonces: 2)
    var rng = TransactionFixtures.SeededGenerator(seed: 10)
    for i in 0..<2 {
        let (r, _) = signedRegister(challenger, now: .seconds(Int64(i)), rng: &rng)
        #expect(challenger.verify(r, now: .seconds(5), ha1: lookup) == .ok(username: "alice"))
    }
    #expect(challenger.trackedNonceCount == 2)
    // At the cap, the table is dropped and older nonces become stale: memory stays bounded.
    let (third, _) = signedRegister(challenger, now: .seconds(3), rng: &rng)
    #expect(challenger.verify(third, now: .seconds(6), ha1: lookup) == .stale)
    #expect(challenger.trackedNonceCount == 0)
    let (fresh, _) = signedRegister(challenger, now: .seconds(7), rng: &rng)
    #expect(challenger.verify(fresh, now: .seconds(8), ha1: lookup) == .ok(username: "alice"))
    #expect(challenger.trackedNonceCount == 1)
    // After the lifetime, expired nonces are swept on the next verification.
    let (late, _) = signedRegister(challenger, now: .seconds(400), rng: &rng)
    #expect(challenger.verify(late, now: .seconds(401), ha1: lookup) == .ok(username: "alice"))
    #expect(challenger.trackedNonceCount == 1)
}
