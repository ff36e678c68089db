import Testing
@testable import SIP

// RFC 4475 torture messages through `SIPCodec`: all at once, byte at a time, and re-encoded.

@Test(arguments: Torture.accepted)
func tortureValidMessageDecodesToItsKeyFields(_ t: TortureMessage) throws {
    let m = try SIPCodec.decode(t.bytes)
    let want = try #require(TortureKeyFields.expected[t.name])
    switch m.startLine {
    case .request(let method, _): #expect(method == want.start)
    case .response(let status, _): #expect("\(status)" == want.start)
    }
    #expect(m.callID == want.callID)
    #expect(m.cseq == want.cseq)
    #expect(m.from.tag == want.fromTag)
    #expect(m.branch == want.branch)
    #expect(m.body.count == want.bodyCount)
}

@Test(arguments: Torture.accepted)
func tortureValidMessageSurvivesEncodeThenDecode(_ t: TortureMessage) throws {
    let m = try SIPCodec.decode(t.bytes)
    let again = try SIPCodec.decode(SIPCodec.encode(m))
    #expect(again == m)
}

@Test(arguments: Torture.rejected)
func tortureInvalidMessageIsRefusedAsTheRFCClassifiesIt(_ t: TortureMessage) {
    do throws(SIPParseError) {
        let m = try SIPCodec.decode(t.bytes)
        Issue.record("\(t.name) decoded to \(m.startLine)")
    } catch {
        switch error {
        case .malformed(let why): #expect(t.expectation == .malformed, "\(t.name): \(why)")
        case .notSIP(let why): #expect(t.expectation == .notSIP, "\(t.name): \(why)")
        case .tooLarge(let n): Issue.record("\(t.name) is \(n) bytes, not too large")
        }
    }
}

@Test(arguments: Torture.rejected)
func tortureInvalidRequestGetsAParseable400WhenItCanBeAddressed(_ t: TortureMessage) throws {
    let response = SIPCodec.errorResponse(for: t.bytes, status: 400, reason: "Bad Request")
    guard TortureKeyFields.answerable.contains(t.name) else {
        #expect(response == nil, "\(t.name) cannot be answered")
        return
    }
    let r = try #require(response)
    let decoded = try SIPCodec.decode(r.bytes)
    #expect(decoded.status == 400)
    #expect(decoded.cseq.method == RawHeaders(t.bytes).first(["cseq"])?.split(separator: " ").last.map(String.init))
}

@Test(arguments: Torture.all)
func tortureMessageNeverTrapsWhenReadByteAtATime(_ t: TortureMessage) {
    for n in 0...t.bytes.count {
        let prefix = Array(t.bytes[..<n])
        if let m = try? SIPCodec.decode(prefix) { _ = SIPCodec.encode(m) }
        _ = SIPCodec.errorResponse(for: prefix, status: 400, reason: "Bad Request")
    }
}

// MARK: What the individual RFC 4475 messages test

@Test func wsinvUnfoldsEveryHeaderAndKeepsUnknownOnes() throws {
    let m = try SIPCodec.decode(Torture.named("wsinv").bytes)
    #expect(m.via.map(\.transport) == ["UDP", "TCP", "UDP"])
    #expect(m.via.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
    #expect(m.via[2].branch == "z9hG4bK30239")
    #expect(m.to.tag == "1918181833n")
    #expect(m.from.displayName == #"J Rosenberg \\\""#)
    #expect(m.maxForwards == 68)
    #expect(m.header("NewFangledHeader")?.contains("continued newfangled value") == true)
    #expect(m.header("UnknownHeaderWithUnusualValue") == ";;,,;;,;")
    #expect(m.contact.first?.parameter("q") == "0.33")
    #expect(m.route.first?.uri.host == "services.example.com")
}

@Test func esc01KeepsEscapesOnTheWire() throws {
    let m = try SIPCodec.decode(Torture.named("esc01").bytes)
    #expect(m.requestURI?.user == "sips:user@example.com")
    #expect(m.from.uri.user == "I have spaces")
    let wire = String(decoding: SIPCodec.encode(m), as: UTF8.self)
    #expect(wire.hasPrefix("INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0\r\n"))
    #expect(wire.contains("sip:I%20have%20spaces@example.net"))
}

@Test func escnullKeepsTheTwoContactsApart() throws {
    let m = try SIPCodec.decode(Torture.named("escnull").bytes)
    #expect(m.contact.count == 2)
    withKnownIssue("libosip2 unescapes URI users into C strings, so %00 ends them (RFC 4475 §3.1.1.4 warns of exactly this)") {
        #expect(m.contact.map(\.uri.user) == ["\u{0}", "\u{0}\u{0}"])
        #expect(m.to.uri.user == "null-\u{0}-null")
    }
}

@Test func mpart01KeepsItsBinaryMultipartBodyByteForByte() throws {
    let t = Torture.named("mpart01")
    let m = try SIPCodec.decode(t.bytes)
    #expect(m.contentType?.hasPrefix("multipart/mixed") == true)
    #expect(m.body == Array(t.bytes.suffix(553)))
    #expect(SIPCodec.encode(m).suffix(553) == t.bytes.suffix(553))
}

@Test func dblreqIgnoresTheSecondRequestInTheDatagram() throws {
    let m = try SIPCodec.decode(Torture.named("dblreq").bytes)
    #expect(m.method == "REGISTER")
    #expect(m.body.isEmpty)
}

@Test func novelscKeepsAnUnknownSchemeItCannotParse() throws {
    let m = try SIPCodec.decode(Torture.named("novelsc").bytes)
    #expect(m.requestURI?.scheme == "soap.beep")
    #expect(String(decoding: SIPCodec.encode(m), as: UTF8.self).hasPrefix("OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0\r\n"))
}

@Test func reasonPhrasesMayBeUTF8OrEmpty() throws {
    let unreason = try SIPCodec.decode(Torture.named("unreason").bytes)
    #expect(unreason.startLine == .response(status: 200, reason: "= 2**3 * 5**2 но сто девяносто девять - простое"))
    let noreason = try SIPCodec.decode(Torture.named("noreason").bytes)
    #expect(noreason.startLine == .response(status: 100, reason: ""))
}

@Test func regaut01KeepsAnUnknownAuthorizationSchemeAsSent() throws {
    let m = try SIPCodec.decode(Torture.named("regaut01").bytes)
    #expect(m.header("Authorization") == "NoOneKnowsThisScheme opaque-data=here")
}

@Test func longreqIsTooLargeForASmallLimit() {
    let t = Torture.named("longreq")
    #expect(throws: SIPParseError.tooLarge(t.bytes.count)) { try SIPCodec.decode(t.bytes, maximumSize: 1024) }
}

@Test func badversNamesThe505ItDeserves() {
    #expect(throws: SIPParseError.malformed("SIP version SIP/7.0 is not supported, only SIP/2.0 (505)")) {
        try SIPCodec.decode(Torture.named("badvers").bytes)
    }
}

@Test func addressChecksJudgeEachValueOfAListOnItsOwn() throws {
    let invite = String(decoding: Torture.named("lwsdisp").bytes, as: UTF8.self)
    let listed = invite.replacingOccurrences(
        of: "l: 0\r\n", with: "Contact: \"A, B\" <sip:a@host.example.com>, sip:c@host.example.com;q=0.5\r\nl: 0\r\n")
    let m = try SIPCodec.decode(Array(listed.utf8))
    #expect(m.contact.map(\.uri.user) == ["a", "c"])
}

@Test func aQuotedParameterValueMayHoldASemicolon() throws {
    let options = String(decoding: Torture.named("lwsdisp").bytes, as: UTF8.self)
        .replacingOccurrences(of: ";tag=323", with: ";tag=323;note=\"a;b\"")
    #expect(try SIPCodec.decode(Array(options.utf8)).from.tag == "323")
}
