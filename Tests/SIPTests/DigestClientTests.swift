import Testing
@testable import SIP

private func challenge(_ values: [String], status: Int = 401) -> SIPMessage {
    var r = TransactionFixtures.request("REGISTER").response(status, toTag: "t")
    let name = status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate"
    r.headers += values.map { Header(name, $0) }
    return r
}

@Test func digestClientPrefersSHA256WhateverTheOrder() {
    let response = challenge([
        "Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"",
        "Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"",
    ])
    #expect(DigestClient.bestChallenge(in: response)?.algorithm == .sha256)
    #expect(DigestClient.challenges(in: response).map(\.algorithm) == [.sha256, .md5])
}

@Test func digestClientCountsNoncesAndStartsAgainOnANewNonce() throws {
    var client = DigestClient(username: "bob", password: "pw")
    _ = client.received(challenge: challenge(["Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\""]), for: TransactionFixtures.request("REGISTER"))
    let first = try DigestParameters.parse(client.authorization(method: "REGISTER", uri: "sip:r", cnonce: "c1")!.value)
    let second = try DigestParameters.parse(client.authorization(method: "REGISTER", uri: "sip:r", cnonce: "c2")!.value)
    #expect(first["nc"] == "00000001")
    #expect(second["nc"] == "00000002")
    #expect(first["cnonce"] == "c1")
    _ = client.received(challenge: challenge(["Digest realm=\"r\", nonce=\"n2\", stale=TRUE, qop=\"auth\""]), for: TransactionFixtures.request("REGISTER"))
    let third = try DigestParameters.parse(client.authorization(method: "REGISTER", uri: "sip:r", cnonce: "c3")!.value)
    #expect(third["nc"] == "00000001")
    #expect(third["nonce"] == "n2")
    #expect(third["algorithm"] == "MD5")  // absent algorithm means MD5
}

@Test func digestClientStopsWhenItsCredentialsAreRefused() {
    var client = DigestClient(username: "bob", password: "wrong")
    let first = challenge(["Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\""])
    var request = TransactionFixtures.request("REGISTER")
    guard case .ready = client.received(challenge: first, for: request) else { Issue.record("not ready"); return }
    var rng = TransactionFixtures.SeededGenerator(seed: 1)
    client.authorize(&request, using: &rng)
    // The signed request drew a fresh challenge without stale: the password is wrong.
    let again = challenge(["Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\""])
    #expect(client.received(challenge: again, for: request) == .credentialsRejected)
    // With stale=true it was only the nonce.
    let stale = challenge(["Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-256, qop=\"auth\", stale=true"])
    guard case .ready = client.received(challenge: stale, for: request) else { Issue.record("stale not retried"); return }
}

@Test func digestClientAnswersA407WithProxyAuthorization() {
    var client = DigestClient(username: "bob", password: "pw")
    _ = client.received(challenge: challenge(["Digest realm=\"p\", nonce=\"n\", qop=\"auth\""], status: 407), for: TransactionFixtures.request("INVITE"))
    #expect(client.authorization(method: "INVITE", uri: "sip:x", cnonce: "c")?.name == "Proxy-Authorization")
}

@Test func digestClientSpeaksRFC2069WhenNoQopIsOffered() throws {
    var client = DigestClient(username: "Mufasa", password: "Circle Of Life")
    _ = client.received(challenge: challenge(["Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\""]), for: TransactionFixtures.request("REGISTER"))
    let p = try DigestParameters.parse(client.authorization(method: "GET", uri: "/dir/index.html", cnonce: "unused")!.value)
    #expect(p["qop"] == nil)
    #expect(p["nc"] == nil)
    #expect(p["cnonce"] == nil)
    // RFC 2069 response = MD5(HA1:nonce:HA2).
    let ha1 = DigestAlgorithm.md5.ha1(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life")
    let ha2 = DigestAlgorithm.md5.hash("GET:/dir/index.html")
    #expect(p["response"] == DigestAlgorithm.md5.hash("\(ha1):dcd98b7102dd2f0e8b11d0f600bfb0c093:\(ha2)"))
}

@Test func digestClientSkipsChallengesItCannotAnswer() {
    var client = DigestClient(username: "bob", password: "pw")
    let response = challenge([
        "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256, qop=\"auth\"",
        "Digest realm=\"r\", nonce=\"n\", algorithm=MD5, qop=\"auth-int\"",
        "Basic realm=\"r\"",
        "Digest realm=\"r\", nonce=\"unterminated",
    ])
    #expect(client.received(challenge: response, for: TransactionFixtures.request("REGISTER")) == .noSupportedChallenge)
    var request = TransactionFixtures.request("REGISTER")
    var rng = TransactionFixtures.SeededGenerator(seed: 2)
    #expect(client.authorize(&request, using: &rng) == false)
}
