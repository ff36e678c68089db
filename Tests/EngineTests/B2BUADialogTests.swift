import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The B2BUA's legs behind a record-routing proxy (RFC 3261 §12, §16.12.1.1): every request in
/// either dialog goes to the proxy with the route set, and a request below the peer's CSeq is
/// answered 500 (§12.2.2). Pure core, manual clock.
struct B2BUADialogTests {
    var core: B2BUA
    var now: Duration = .zero
    static let proxy = Endpoint(host: "127.0.0.5", port: 5070)
    static let proxyRoute = NameAddress(uri: SIPURI(host: "127.0.0.5", port: 5070, parameters: [Parameter("lr")]))
    static let agentProxyRoute = NameAddress(uri: SIPURI(host: "127.0.0.6", port: 5080, parameters: [Parameter("lr")]))

    init() throws {
        core = try TestPhones.core(agents: ["alice"], seed: 7)
    }

    mutating func feed(_ m: SIPMessage, from: Endpoint) -> [B2BUAAction] {
        now += .milliseconds(10)
        return core.handle(.received(m, from: from), now: now)
    }

    /// A call from the customer through the proxy, answered by alice whose 200 is record-routed by a second proxy.
    mutating func bridgedCall() throws -> (invite: SIPMessage, ok: SIPMessage, agentInvite: SIPMessage, agentOK: SIPMessage) {
        _ = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        var invite = TestPhones.invite()
        invite.recordRoute = [Self.proxyRoute]
        invite.via.insert(Via(host: "127.0.0.5", port: 5070, branch: "z9hG4bK-proxy"), at: 0)
        var out = feed(invite, from: Self.proxy)
        let agentInvite = try #require(out.sentRequests("INVITE").first)
        var agentOK = TestPhones.agentResponse(200, to: agentInvite)
        agentOK.recordRoute = [Self.agentProxyRoute]
        out = feed(agentOK, from: Endpoint(host: "127.0.0.6", port: 5080))
        let ack = try #require(out.sent.first { $0.0.method == "ACK" })
        #expect(ack.0.route == [Self.agentProxyRoute])
        #expect(ack.0.requestURI == agentOK.contact.first?.uri)
        #expect(ack.1 == Endpoint(host: "127.0.0.6", port: 5080))
        let ok = try #require(out.sentResponses(200).first { $0.callID == invite.callID })
        #expect(ok.recordRoute == [Self.proxyRoute])  // RFC 3261 §12.1.1: copied into the 2xx
        return (invite, ok, agentInvite, agentOK)
    }

    @Test mutating func engineByeToTheCallerGoesThroughTheProxyWithItsRoute() throws {
        let call = try bridgedCall()
        // The agent hangs up: the engine BYEs the caller.
        var agentBye = call.agentOK
        agentBye.startLine = .request(method: "BYE", uri: TestPhones.engine.sipURI)
        agentBye.cseq = CSeq(1, "BYE")
        agentBye.via = [Via(host: "127.0.0.1", port: 7100, branch: "z9hG4bK-abye")]
        (agentBye.from, agentBye.to) = (call.agentOK.to, call.agentOK.from)
        let out = feed(agentBye, from: TestPhones.alice)
        let bye = try #require(out.sent.first { $0.0.method == "BYE" && $0.0.callID == call.invite.callID })
        #expect(bye.1 == Self.proxy)
        #expect(bye.0.route == [Self.proxyRoute])
        #expect(bye.0.requestURI == call.invite.contact.first?.uri)
        #expect(bye.0.from.tag == call.ok.to.tag && bye.0.to.tag == call.invite.from.tag)
    }

    @Test mutating func engineByeToTheAgentGoesThroughItsProxy() throws {
        let call = try bridgedCall()
        let out = feed(TestPhones.inDialog("BYE", after: call.invite, toTag: call.ok.to.tag!), from: Self.proxy)
        let bye = try #require(out.sent.first { $0.0.method == "BYE" && $0.0.callID == call.agentInvite.callID })
        #expect(bye.1 == Endpoint(host: "127.0.0.6", port: 5080))
        #expect(bye.0.route == [Self.agentProxyRoute])
        #expect(bye.0.cseq == CSeq(2, "BYE"))
    }

    @Test mutating func reinviteToTheAgentCarriesTheRouteAndTheNextCSeq() throws {
        let call = try bridgedCall()
        var reinvite = TestPhones.inDialog("INVITE", after: call.invite, toTag: call.ok.to.tag!)
        reinvite.contentType = "application/sdp"
        reinvite.body = TestPhones.sdp(port: 40002, formats: [0])
        let out = feed(reinvite, from: Self.proxy)
        let offer = try #require(out.sent.first { $0.0.method == "INVITE" && $0.0.callID == call.agentInvite.callID })
        #expect(offer.0.cseq == CSeq(2, "INVITE") && offer.0.route == [Self.agentProxyRoute] && offer.1 == Endpoint(host: "127.0.0.6", port: 5080))
        #expect(offer.0.contact.count == 1)  // a target refresh carries our Contact
    }

    @Test mutating func aLowerCSeqFromTheCallerGets500AndChangesNothing() throws {
        let call = try bridgedCall()
        let info = TestPhones.inDialog("INFO", after: call.invite, toTag: call.ok.to.tag!, cseq: 5)
        #expect(feed(info, from: Self.proxy).sentResponses(200).count == 1)
        let late = TestPhones.inDialog("BYE", after: call.invite, toTag: call.ok.to.tag!, cseq: 4)
        let out = feed(late, from: Self.proxy)
        #expect(out.sentResponses(500).count == 1)
        #expect(out.sentRequests("BYE").isEmpty)
        #expect(core.activeCalls == 1)
        #expect(core.center.agentState("alice") == .onCall(call.invite.callID))
    }

    @Test mutating func aLowerCSeqFromTheAgentGets500() throws {
        let call = try bridgedCall()
        func agentRequest(_ method: String, cseq: UInt32) -> SIPMessage {
            var m = call.agentOK
            m.startLine = .request(method: method, uri: TestPhones.engine.sipURI)
            m.cseq = CSeq(cseq, method)
            m.via = [Via(host: "127.0.0.1", port: 7100, branch: "z9hG4bK-a\(cseq)")]
            (m.from, m.to) = (call.agentOK.to, call.agentOK.from)
            m.body = []
            m.contentType = nil
            return m
        }
        #expect(feed(agentRequest("INFO", cseq: 3), from: TestPhones.alice).sentResponses(200).count == 1)
        let out = feed(agentRequest("BYE", cseq: 2), from: TestPhones.alice)
        #expect(out.sentResponses(500).count == 1)
        #expect(core.activeCalls == 1)
    }
}

extension Endpoint {
    var sipURI: SIPURI { SIPURI(host: host, port: port) }
}
