import Testing
@testable import SIP

private let invite = """
INVITE sip:support@127.0.0.1:5060 SIP/2.0\r
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-abc;rport\r
Max-Forwards: 70\r
From: "Alice" <sip:alice@127.0.0.1:5070>;tag=1928301774\r
To: <sip:support@127.0.0.1:5060>\r
Call-ID: a84b4c76e66710@127.0.0.1\r
CSeq: 314159 INVITE\r
Contact: <sip:alice@127.0.0.1:5070>\r
User-Agent: test\r
Content-Type: application/sdp\r
Content-Length: 129\r
\r
v=0\r
o=- 1 1 IN IP4 127.0.0.1\r
s=-\r
c=IN IP4 127.0.0.1\r
t=0 0\r
m=audio 40000 RTP/AVP 0 8 101\r
a=rtpmap:101 telephone-event/8000\r

"""

@Test func decodesAnInviteWithItsTypedHeaders() throws {
    let m = try SIPCodec.decode(Array(invite.utf8))
    #expect(m.method == "INVITE")
    #expect(m.requestURI == SIPURI(user: "support", host: "127.0.0.1", port: 5060))
    #expect(m.via.count == 1)
    #expect(m.branch == "z9hG4bK-abc")
    #expect(m.via[0].hasParameter("rport"))
    #expect(m.from.tag == "1928301774")
    #expect(m.from.displayName == "Alice")
    #expect(m.to.tag == nil)
    #expect(m.callID == "a84b4c76e66710@127.0.0.1")
    #expect(m.cseq == CSeq(314159, "INVITE"))
    #expect(m.contact.first?.uri.port == 5070)
    #expect(m.header("user-agent") == "test")
    #expect(m.maxForwards == 70)
    #expect(m.contentType == "application/sdp")
    let sdp = try SessionDescription.parse(m.body)
    #expect(sdp.audio?.port == 40000)
    #expect(sdp.audio?.formats == [0, 8, 101])
    #expect(sdp.audio?.encodingName(of: 101) == "TELEPHONE-EVENT")
    #expect(sdp.audio?.encodingName(of: 8) == "PCMA")
    #expect(sdp.connectionAddress == "127.0.0.1")
}

@Test func encodeThenDecodeGivesTheSameMessage() throws {
    let m = try SIPCodec.decode(Array(invite.utf8))
    let again = try SIPCodec.decode(SIPCodec.encode(m))
    #expect(again == m)
}

@Test func responseCopiesTheDialogHeadersAndAddsAToTag() throws {
    let m = try SIPCodec.decode(Array(invite.utf8))
    let r = m.response(180, toTag: "xyz")
    #expect(r.status == 180)
    #expect(r.to.tag == "xyz")
    #expect(r.via == m.via)
    let decoded = try SIPCodec.decode(SIPCodec.encode(r))
    #expect(decoded.status == 180)
    #expect(decoded.header("Content-Length") == nil)
    #expect(decoded.to.tag == "xyz")
}

@Test func notSIPIsRefusedWithoutAResponse() {
    #expect(throws: SIPParseError.self) { try SIPCodec.decode(Array("hello world\r\n".utf8)) }
    #expect(SIPCodec.errorResponse(for: Array("hello world\r\n".utf8), status: 400, reason: "Bad Request") == nil)
}

@Test func truncatedInviteIsMalformedButAnswerable() throws {
    let bytes = Array(invite.utf8)
    let truncated = Array(bytes[..<(bytes.count - 40)])
    #expect(throws: SIPParseError.self) { try SIPCodec.decode(truncated) }
    let r = try #require(SIPCodec.errorResponse(for: truncated, status: 400, reason: "Bad Request"))
    let response = try SIPCodec.decode(r.bytes)
    #expect(response.status == 400)
    #expect(response.callID == "a84b4c76e66710@127.0.0.1")
}

@Test func headersCutMidwayAreMalformed() {
    let cut = Array(invite.utf8.prefix(120))
    #expect(throws: SIPParseError.self) { try SIPCodec.decode(cut) }
}

@Test func oversizedMessagesAreRefused() {
    #expect(throws: SIPParseError.tooLarge(20000)) { try SIPCodec.decode(Array(repeating: 65, count: 20000)) }
}

@Test func parsingNeverCrashesOnByteAtATimePrefixes() {
    let bytes = Array(invite.utf8)
    for n in 0...bytes.count {
        _ = try? SIPCodec.decode(Array(bytes[..<n]))
    }
}

@Test func encodingPrintsTheHeadersInOrderWithOneContentLengthAndTheBody() throws {
    let m = try SIPCodec.decode(Array(invite.utf8))
    let text = String(decoding: SIPCodec.encode(m), as: UTF8.self)
    let lines = text.components(separatedBy: "\r\n")
    #expect(lines[0] == "INVITE sip:support@127.0.0.1:5060 SIP/2.0")
    #expect(lines[1] == "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-abc;rport")
    #expect(lines[2] == "From: \"Alice\" <sip:alice@127.0.0.1:5070>;tag=1928301774")
    #expect(lines.filter { $0.hasPrefix("Content-Length:") } == ["Content-Length: 129"])
    #expect(text.hasSuffix("\r\n\r\n" + String(decoding: m.body, as: UTF8.self)))
}

@Test func wildcardContactSurvivesARoundTrip() throws {
    let register = """
    REGISTER sip:127.0.0.1:5060 SIP/2.0\r
    Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-unreg\r
    From: <sip:alice@127.0.0.1>;tag=1\r
    To: <sip:alice@127.0.0.1>\r
    Call-ID: unreg-1\r
    CSeq: 2 REGISTER\r
    Contact: *\r
    Expires: 0\r
    Content-Length: 0\r
    \r

    """
    let m = try SIPCodec.decode(Array(register.utf8))
    let text = String(decoding: SIPCodec.encode(m), as: UTF8.self)
    #expect(text.contains("\r\nContact: *\r\n"))
    #expect(try SIPCodec.decode(Array(text.utf8)) == m)
}

@Test func ipv6HostsArePrintedInBrackets() throws {
    var m = try SIPCodec.decode(Array(invite.utf8))
    m.via = [Via(host: "2001:db8::1", port: 5070, branch: "z9hG4bK-v6")]
    m.contact = [NameAddress(uri: SIPURI(user: "alice", host: "2001:db8::1", port: 5070))]
    let text = String(decoding: SIPCodec.encode(m), as: UTF8.self)
    #expect(text.contains("\r\nVia: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK-v6;rport\r\n"))
    #expect(text.contains("\r\nContact: <sip:alice@[2001:db8::1]:5070>\r\n"))
}
