import Testing
@testable import SIP

// RFC 2617 §3.5 and RFC 7616 §3.9.1 test vectors.

@Test func rfc2617MD5WithQopAuth() {
    let ha1 = DigestChallenger.ha1(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life", algorithm: .md5)
    let response = DigestAlgorithm.md5.response(
        ha1: ha1, nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", nc: "00000001", cnonce: "0a4f113b", qop: "auth",
        method: "GET", uri: "/dir/index.html")
    #expect(response == "6629fae49393a05397450978507c4ef1")
}

private let rfc7616 = (
    username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", uri: "/dir/index.html")

@Test(arguments: [
    (DigestAlgorithm.sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    (DigestAlgorithm.md5, "8ca523f5e9506fed4657c9700eebdbec"),
])
func rfc7616Vectors(algorithm: DigestAlgorithm, expected: String) {
    let ha1 = DigestChallenger.ha1(username: rfc7616.username, realm: rfc7616.realm, password: rfc7616.password, algorithm: algorithm)
    let response = algorithm.response(
        ha1: ha1, nonce: rfc7616.nonce, nc: "00000001", cnonce: rfc7616.cnonce, qop: "auth", method: "GET", uri: rfc7616.uri)
    #expect(response == expected)
}

/// The RFC 7616 §3.9.1 401 as a SIP response: MD5 first on the wire, so preference is tested.
private func rfc7616Challenge() -> SIPMessage {
    var r = TransactionFixtures.request("REGISTER").response(401, toTag: "t")
    for algorithm in ["MD5", "SHA-256"] {
        r.headers.append(Header("WWW-Authenticate", """
            Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=\(algorithm), \
            nonce="\(rfc7616.nonce)", opaque="\(rfc7616.opaque)"
            """))
    }
    return r
}

@Test func digestClientAnswersTheRFC7616ChallengeWithSHA256() throws {
    var client = DigestClient(username: rfc7616.username, password: rfc7616.password)
    let outcome = client.received(challenge: rfc7616Challenge(), for: TransactionFixtures.request("REGISTER"))
    guard case .ready(let challenge) = outcome else { Issue.record("not ready: \(outcome)"); return }
    #expect(challenge.algorithm == .sha256)
    #expect(challenge.qopAuth)
    let signed = client.authorization(method: "GET", uri: rfc7616.uri, cnonce: rfc7616.cnonce)
    let header = try #require(signed)
    #expect(header.name == "Authorization")
    let p = try DigestParameters.parse(header.value)
    #expect(p["response"] == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
    #expect(p["algorithm"] == "SHA-256")
    #expect(p["nc"] == "00000001")
    #expect(p["qop"] == "auth")
    #expect(p["opaque"] == rfc7616.opaque)
    #expect(p["username"] == "Mufasa")
}

@Test func theRFC7616AuthorizationVerifiesAsStaleBecauseItsNonceIsNotOurs() {
    // The digest is right (so not wrongCredentials) but the nonce was never issued by us.
    let header = """
        Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, \
        nonce="\(rfc7616.nonce)", nc=00000001, cnonce="\(rfc7616.cnonce)", qop=auth, \
        response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="\(rfc7616.opaque)"
        """
    var challenger = DigestChallenger(realm: rfc7616.realm, secret: Array(repeating: 7, count: 32))
    let store: (String, DigestAlgorithm) -> String? = { user, algorithm in
        user == "Mufasa" ? DigestChallenger.ha1(username: user, realm: rfc7616.realm, password: rfc7616.password, algorithm: algorithm) : nil
    }
    #expect(challenger.verify(authorization: header, method: "GET", now: .seconds(10), ha1: store) == .stale)
    let wrong: (String, DigestAlgorithm) -> String? = { user, algorithm in
        DigestChallenger.ha1(username: user, realm: rfc7616.realm, password: "Circle of Death", algorithm: algorithm)
    }
    #expect(challenger.verify(authorization: header, method: "GET", now: .seconds(10), ha1: wrong) == .wrongCredentials)
}

@Test func digestParametersReadQuotedStringsWithEscapesAndCommasAndAnyCase() throws {
    let p = try DigestParameters.parse("""
        Digest  USERNAME="Mu\\"fa,sa" ,Realm = "a, b",nc=00000001,\r\n\tqop=auth, uri="sip:x@y;transport=udp", x=""
        """)
    #expect(p.isDigest)
    #expect(p["username"] == "Mu\"fa,sa")
    #expect(p["realm"] == "a, b")
    #expect(p["NC"] == "00000001")
    #expect(p["qop"] == "auth")
    #expect(p["uri"] == "sip:x@y;transport=udp")
    #expect(p["x"] == "")
    // What we print, we read back.
    let text = DigestParameters.format(scheme: "Digest", [("username", "a\"b\\c", true), ("nc", "00000002", false)])
    #expect(try DigestParameters.parse(text)["username"] == "a\"b\\c")
}

@Test(arguments: [
    "",
    "Digest username=\"alice",
    "Digest username",
    "Digest username=",
    "Digest realm=\"a\" nonce=\"b\"",
    "Digest realm=\"a\", realm=\"b\"",
    "Digest =\"a\"",
])
func malformedDigestParametersAreRefusedWithAReason(text: String) {
    #expect(throws: DigestParseError.self) { try DigestParameters.parse(text) }
}
