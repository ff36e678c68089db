import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The caller's answer from the B2BUA fits the caller's offer (RFC 3264 §6), carries the codec
/// the agent chose in the caller's payload numbers, and an agent's answer that does not fit the
/// engine's offer is a failed ring: that leg is hung up and the next agent rung.
struct OfferAnswerB2BUATests {
    var core: B2BUA
    var now: Duration = .zero

    init() throws {
        core = try TestPhones.core(seed: 3)
    }

    mutating func feed(_ m: SIPMessage, from: Endpoint) -> [B2BUAAction] {
        now += .milliseconds(10)
        return core.handle(.received(m, from: from), now: now)
    }

    static func body(_ media: String) -> [UInt8] {
        Array(("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + media).utf8)
    }

    /// A call with `offer` answered by alice with `agentMedia`; the agent's INVITE and what was sent.
    mutating func call(offer: String, agentMedia: String) throws -> (agentInvite: SIPMessage, out: [B2BUAAction]) {
        _ = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        let agentInvite = try #require(feed(TestPhones.invite(body: Self.body(offer)), from: TestPhones.customer).sentRequests("INVITE").first)
        var ok = TestPhones.agentResponse(200, to: agentInvite)
        ok.body = Self.body(agentMedia)
        return (agentInvite, feed(ok, from: TestPhones.alice))
    }

    func callerAnswer(_ out: [B2BUAAction]) throws -> SessionDescription {
        try SessionDescription.parse(try #require(out.sentResponses(200).first { $0.callID == "call-1" }).body)
    }

    @Test mutating func audioAndVideoOfferGetsVideoRejectedInPlace() throws {
        let (invite, out) = try call(offer: "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\nm=video 40002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n",
                                     agentMedia: "m=audio 41000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n")
        // The agent is offered audio only.
        #expect(try SessionDescription.parse(invite.body).media.map(\.type) == ["audio"])
        let answer = try callerAnswer(out)
        #expect(answer.media.map(\.type) == ["audio", "video"])
        #expect(answer.media.map(\.port) == [20000, 0])
        #expect(answer.media[0].formats == [8, 101])  // the agent's PCMA, and telephone-event both have
    }

    @Test mutating func videoFirstOfferIsAnsweredInItsOrder() throws {
        let (_, out) = try call(offer: "m=video 40002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\nm=audio 40000 RTP/AVP 0\r\n",
                                agentMedia: "m=audio 41000 RTP/AVP 0\r\n")
        let answer = try callerAnswer(out)
        #expect(answer.media.map(\.type) == ["video", "audio"])
        #expect(answer.media.map(\.port) == [0, 20000])
        #expect(out.contains { if case .setMediaPeer("call-1", .agent, Endpoint(host: "127.0.0.1", port: 41000)) = $0 { true } else { false } })
    }

    @Test mutating func sendonlyOfferIsAnsweredRecvonly() throws {
        let (invite, out) = try call(offer: "m=audio 40000 RTP/AVP 0\r\na=sendonly\r\n", agentMedia: "m=audio 41000 RTP/AVP 0\r\n")
        #expect(try SessionDescription.parse(invite.body).audio?.direction == "sendrecv")
        #expect(try callerAnswer(out).audio?.direction == "recvonly")
    }

    @Test mutating func dynamicTelephoneEventNumberIsTheCallersOwn() throws {
        let (invite, out) = try call(offer: "m=audio 40000 RTP/AVP 8 96\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n",
                                     agentMedia: "m=audio 41000 RTP/AVP 8 96\r\na=rtpmap:96 telephone-event/8000\r\n")
        #expect(try SessionDescription.parse(invite.body).audio?.formats == [8, 96])
        let answer = try callerAnswer(out)
        #expect(answer.audio?.formats == [8, 96])
        #expect(answer.audio?.attributes.contains(.init("fmtp", "96 0-16")) == true)
    }

    /// An agent that numbers telephone-event differently keeps it: each side hears its own
    /// number and the relay renumbers (RFC 3264 §6.1 lets the answerer choose its numbers).
    @Test mutating func telephoneEventNumberedDifferentlyIsRenumberedByTheRelay() throws {
        let (_, out) = try call(offer: "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
                                agentMedia: "m=audio 41000 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\n")
        #expect(try callerAnswer(out).audio?.formats == [0, 101])
        #expect(out.contains { if case .mapPayloadTypes("call-1", let map) = $0 { map == [101: 96] } else { false } }, "\(out)")
        var same = try OfferAnswerB2BUATests()
        let (_, plain) = try same.call(offer: "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
                                       agentMedia: "m=audio 41000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n")
        #expect(plain.contains { if case .mapPayloadTypes(_, let map) = $0 { map.isEmpty } else { false } })
    }

    @Test mutating func telephoneEventOnlyWhereBothSidesHaveIt() throws {
        let (_, out) = try call(offer: "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n", agentMedia: "m=audio 41000 RTP/AVP 0\r\n")
        #expect(try callerAnswer(out).audio?.formats == [0])
    }

    /// RFC 5761: RTP and RTCP share a port only when both phones do it; otherwise the relay's
    /// RTCP ports (the ones above) carry RTCP on both sides.
    @Test mutating func rtcpMuxOnlyWhenBothSidesDoIt() throws {
        let (invite, out) = try call(offer: "m=audio 40000 RTP/AVP 0\r\na=rtcp-mux\r\n", agentMedia: "m=audio 41000 RTP/AVP 0\r\na=rtcp-mux\r\n")
        #expect(try SessionDescription.parse(invite.body).audio?.rtcpMux == true, "the caller's rtcp-mux is offered to the agent")
        #expect(try callerAnswer(out).audio?.rtcpMux == true)
        var other = try OfferAnswerB2BUATests()
        let (_, refused) = try other.call(offer: "m=audio 40000 RTP/AVP 0\r\na=rtcp-mux\r\n", agentMedia: "m=audio 41000 RTP/AVP 0\r\n")
        #expect(try other.callerAnswer(refused).audio?.rtcpMux == false, "the agent declined: the caller is answered without it")
        var plain = try OfferAnswerB2BUATests()
        let (plainInvite, _) = try plain.call(offer: "m=audio 40000 RTP/AVP 0\r\n", agentMedia: "m=audio 41000 RTP/AVP 0\r\n")
        #expect(try SessionDescription.parse(plainInvite.body).audio?.rtcpMux == false, "not offered to the agent unless the caller offered it")
    }

    @Test mutating func pcmaOnlyOfferGetsPcmaFromAnAgentThatAnswersPcma() throws {
        let (invite, out) = try call(offer: "m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n",
                                     agentMedia: "m=audio 41000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n")
        #expect(try SessionDescription.parse(invite.body).audio?.formats == [8, 101])
        #expect(try callerAnswer(out).audio?.formats == [8, 101])
    }

    @Test mutating func agentAnsweringACodecNotOfferedIsHungUpAndTheNextAgentRung() throws {
        _ = feed(TestPhones.register("bob", from: TestPhones.bob), from: TestPhones.bob)
        let (firstInvite, out) = try call(offer: "m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n",
                                          agentMedia: "m=audio 41000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n")
        #expect(out.sentResponses(200).filter { $0.callID == "call-1" }.isEmpty, "the caller must not be bridged to PCMU it never offered")
        #expect(out.sent.contains { $0.0.method == "BYE" && $0.0.callID == firstInvite.callID })
        #expect(out.sent.contains { $0.0.method == "ACK" && $0.0.callID == firstInvite.callID })
        let next = out.sent.first { $0.0.method == "INVITE" && $0.0.callID != firstInvite.callID }
        let nextInvite = try #require(next?.0, "the next agent was not rung: \(out)")
        let nextAgent = try #require(nextInvite.to.uri.user)
        #expect(nextAgent != firstInvite.to.uri.user)
        let logs = out.compactMap { if case .log(_, let line, _) = $0 { line } else { nil } }
        #expect(logs.filter { $0.contains("not offered") }.count == 1)
        // The next agent answers PCMA: bridged with PCMA.
        var ok = TestPhones.agentResponse(200, to: nextInvite)
        ok.body = Self.body("m=audio 42000 RTP/AVP 8\r\n")
        let bridged = feed(ok, from: next!.1)
        #expect(try callerAnswer(bridged).audio?.formats == [8])
        #expect(core.center.agentState(nextAgent) == .onCall("call-1"))
    }

    @Test mutating func agentAnsweringTelephoneEventAloneIsAFailedRing() throws {
        let (_, out) = try call(offer: "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
                                agentMedia: "m=audio 41000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n")
        #expect(out.sentResponses(200).filter { $0.callID == "call-1" }.isEmpty)
        #expect(core.center.agentState("alice") != .onCall("call-1"))
    }
}
