import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// Call flows through the pure B2BUA core, with a manual clock: no sockets, no sleeping.
struct B2BUATests {
    var core: B2BUA
    var now: Duration = .zero

    init() throws {
        core = try TestPhones.core(seed: 42)
    }

    mutating func feed(_ m: SIPMessage, from: Endpoint) -> [B2BUAAction] {
        now += .milliseconds(10)
        return core.handle(.received(m, from: from), now: now)
    }

    mutating func registerAlice() {
        let out = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        #expect(out.sentResponses(200).count == 1)
    }

    @Test mutating func registerStoresTheContactAndLogsTheAgentIn() {
        let out = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        let ok = out.sentResponses(200)
        #expect(ok.count == 1)
        #expect(ok.first?.contact.first?.uri.port == TestPhones.alice.port)
        #expect(core.center.agentState("alice") == .available)
        #expect(out.contains { if case .startTimer(.registrationExpiry("alice", _), _) = $0 { true } else { false } })
    }

    @Test mutating func unknownAgentGets404() {
        let out = feed(TestPhones.register("mallory", from: TestPhones.alice), from: TestPhones.alice)
        #expect(out.sentResponses(404).count == 1)
    }

    @Test mutating func thirdPartyRegistrationKeepsTheContactPort() {
        // REGISTER sent from port 7100 naming a Contact on port 7300.
        _ = feed(TestPhones.register("alice", from: TestPhones.alice, contactPort: 7300), from: TestPhones.alice)
        #expect(core.registrar.target(of: "alice")?.target == Endpoint(host: "127.0.0.1", port: 7300))
    }

    @Test mutating func contactWithoutPortUsesTheSourceAddress() {
        _ = feed(TestPhones.register("alice", from: TestPhones.alice, contactPort: .some(nil)), from: TestPhones.alice)
        #expect(core.registrar.target(of: "alice")?.target == TestPhones.alice)
    }

    @Test mutating func expiresZeroLogsTheAgentOut() {
        registerAlice()
        _ = feed(TestPhones.register("alice", from: TestPhones.alice, expires: 0), from: TestPhones.alice)
        #expect(core.center.agentState("alice") == .offline)
    }

    @Test mutating func answeredCallFlowsThroughBothLegsAndIsRecorded() throws {
        registerAlice()
        let invite = TestPhones.invite()
        var out = feed(invite, from: TestPhones.customer)
        #expect(out.sentResponses(100).count == 1)
        #expect(out.sentResponses(180).isEmpty)  // ringing is the agent phone's, reflected below
        let agentInvite = try #require(out.sentRequests("INVITE").first)
        #expect(out.sent.first { $0.0.method == "INVITE" }?.1 == TestPhones.alice)
        #expect(agentInvite.header("X-CC-Call") == "call-1")
        let offer = try SessionDescription.parse(agentInvite.body)
        #expect(offer.audio?.formats == [0, 8])
        #expect(out.contains(.openMedia("call-1", .caller, port: 20000)) && out.contains(.openMedia("call-1", .agent, port: 20002)))

        out = feed(TestPhones.agentResponse(180, to: agentInvite), from: TestPhones.alice)
        #expect(out.sentResponses(180).count == 1)
        #expect(out.sentResponses(180).first?.callID == invite.callID)
        out = feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice)
        #expect(out.sentRequests("ACK").count == 1)
        let ok = try #require(out.sentResponses(200).first)
        #expect(ok.cseq.method == "INVITE")
        let answer = try SessionDescription.parse(ok.body)
        #expect(answer.audio?.formats == [0])  // the codec the agent chose
        #expect(out.contains { if case .setMediaPeer("call-1", .agent, Endpoint(host: "127.0.0.1", port: 41000)) = $0 { true } else { false } })
        #expect(core.center.agentState("alice") == .onCall("call-1"))

        _ = feed(TestPhones.inDialog("ACK", after: invite, toTag: ok.to.tag!, cseq: 1), from: TestPhones.customer)
        out = feed(TestPhones.inDialog("BYE", after: invite, toTag: ok.to.tag!), from: TestPhones.customer)
        #expect(out.sentResponses(200).count == 1)
        let bye = try #require(out.sentRequests("BYE").first)
        #expect(bye.callID == agentInvite.callID)
        #expect(out.records.map(\.disposition) == [.answered])
        #expect(out.records.first?.agent == "alice")
        #expect(out.contains(.closeMedia("call-1", ports: [20000, 20002])))
        #expect(core.activeCalls == 0)
    }

    @Test mutating func retransmittedInviteGetsTheLastResponseNotASecondCall() {
        registerAlice()
        let invite = TestPhones.invite()
        let agentInvite = feed(invite, from: TestPhones.customer).sentRequests("INVITE")
        _ = agentInvite.first.map { feed(TestPhones.agentResponse(180, to: $0), from: TestPhones.alice) }
        let again = feed(invite, from: TestPhones.customer)
        #expect(again.sentResponses(180).count == 1)
        #expect(again.sentRequests("INVITE").isEmpty)
        #expect(core.activeCalls == 1)
    }

    @Test mutating func unknownQueueGets404AndNoCall() {
        let out = feed(TestPhones.invite(queue: "nosuch"), from: TestPhones.customer)
        #expect(out.sentResponses(404).count == 1)
        #expect(core.activeCalls == 0)
    }

    @Test mutating func sdpWithoutUsableCodecGets488() {
        let out = feed(TestPhones.invite(formats: [18, 9]), from: TestPhones.customer)
        #expect(out.sentResponses(488).count == 1)
        #expect(core.activeCalls == 0)
    }

    @Test mutating func inviteWithoutSDPGets488() {
        let out = feed(TestPhones.invite(body: []), from: TestPhones.customer)
        #expect(out.sentResponses(488).count == 1)
    }

    @Test mutating func callerCancelWhileQueuedIsAbandoned() {
        let invite = TestPhones.invite()
        _ = feed(invite, from: TestPhones.customer)
        let out = feed(TestPhones.cancel(invite), from: TestPhones.customer)
        #expect(out.sentResponses(200).first?.cseq.method == "CANCEL")
        #expect(out.sentResponses(487).count == 1)
        #expect(out.records.map(\.disposition) == [.abandoned])
    }

    @Test mutating func callerCancelWhileRingingCancelsTheAgentLeg() throws {
        registerAlice()
        let invite = TestPhones.invite()
        let first = feed(invite, from: TestPhones.customer)
        let agentInvite = try #require(first.sentRequests("INVITE").first)
        _ = feed(TestPhones.agentResponse(180, to: agentInvite), from: TestPhones.alice)  // CANCEL only after a 1xx
        let out = feed(TestPhones.cancel(invite), from: TestPhones.customer)
        let cancel = try #require(out.sentRequests("CANCEL").first)
        #expect(cancel.branch == agentInvite.branch)
        #expect(out.records.map(\.disposition) == [.abandoned])
        // The agent answers the INVITE with 487 (its ACK comes from the transaction layer).
        _ = feed(TestPhones.agentResponse(487, to: agentInvite), from: TestPhones.alice)
        #expect(core.center.agentState("alice") == .available)
    }

    @Test mutating func agentAnsweringAsTheCancelArrivesIsHungUpCleanly() throws {
        registerAlice()
        let invite = TestPhones.invite()
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        _ = feed(TestPhones.cancel(invite), from: TestPhones.customer)
        let out = feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice)
        #expect(out.sentRequests("ACK").count == 1)
        #expect(out.sentRequests("BYE").count == 1)
        #expect(core.activeCalls == 0)
    }

    @Test mutating func agentBusyMovesTheCallToTheNextAgent() throws {
        registerAlice()
        _ = feed(TestPhones.register("bob", from: TestPhones.bob), from: TestPhones.bob)
        let first = feed(TestPhones.invite(), from: TestPhones.customer)
        let (agentInvite, target) = try #require(first.sent.first { $0.0.method == "INVITE" })
        #expect(feed(TestPhones.agentResponse(180, to: agentInvite), from: target).sentResponses(180).count == 1)
        let out = feed(TestPhones.agentResponse(486, to: agentInvite), from: target)
        let next = try #require(out.sent.first { $0.0.method == "INVITE" })
        #expect(next.1 != target)
        let nextRinging = feed(TestPhones.agentResponse(180, to: next.0), from: next.1)
        #expect(nextRinging.sentResponses(180).isEmpty)  // the caller hears one continuous ringing
    }

    @Test mutating func agentHangingUpEndsTheCustomerLeg() throws {
        registerAlice()
        let invite = TestPhones.invite()
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        let ok = try #require(feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice).sentResponses(200).first)
        var bye = agentInvite
        bye.startLine = .request(method: "BYE", uri: SIPURI(user: "ccengine", host: "127.0.0.1", port: 5060))
        bye.cseq = CSeq(1, "BYE")
        bye.from = TestPhones.agentResponse(200, to: agentInvite).to
        bye.to = agentInvite.from
        let out = feed(bye, from: TestPhones.alice)
        let customerBye = try #require(out.sentRequests("BYE").first)
        #expect(customerBye.callID == invite.callID)
        #expect(customerBye.from.tag == ok.to.tag)
        #expect(out.records.map(\.disposition) == [.answered])
    }

    @Test mutating func optionsIsAnswered() {
        var m = TestPhones.invite()
        m.startLine = .request(method: "OPTIONS", uri: SIPURI(host: "127.0.0.1", port: 5060))
        m.cseq = CSeq(1, "OPTIONS")
        m.body = []
        m.contentType = nil
        let out = feed(m, from: TestPhones.customer)
        #expect(out.sentResponses(200).count == 1)
    }

    @Test mutating func byeForNoDialogGets481() {
        let m = TestPhones.inDialog("BYE", after: TestPhones.invite(callID: "ghost"), toTag: "x")
        #expect(feed(m, from: TestPhones.customer).sentResponses(481).count == 1)
    }
}

extension B2BUATests {
    /// Hold: the caller's re-INVITE (a=sendonly) goes on to the agent; the agent's answer
    /// (a=recvonly) comes back to the caller, through the relay's own ports.
    @Test mutating func reinviteForHoldIsPassedThroughBothLegs() throws {
        registerAlice()
        let invite = TestPhones.invite()
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        let ok = try #require(feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice).sentResponses(200).first)
        _ = feed(TestPhones.inDialog("ACK", after: invite, toTag: ok.to.tag!, cseq: 1), from: TestPhones.customer)

        var hold = TestPhones.inDialog("INVITE", after: invite, toTag: ok.to.tag!, cseq: 2)
        hold.contentType = "application/sdp"
        hold.body = TestPhones.sdp(port: 40000) + Array("a=sendonly\r\n".utf8)
        let forwarded = try #require(feed(hold, from: TestPhones.customer).sentRequests("INVITE").first)
        #expect(forwarded.callID == agentInvite.callID)
        #expect(forwarded.cseq.number == 2)
        #expect(try SessionDescription.parse(forwarded.body).audio?.direction == "sendonly")

        var agentOK = forwarded.response(200)
        agentOK.contentType = "application/sdp"
        agentOK.body = TestPhones.sdp(port: 41000, formats: [0]) + Array("a=recvonly\r\n".utf8)
        let out = feed(agentOK, from: TestPhones.alice)
        #expect(out.sentRequests("ACK").first?.cseq.number == 2)
        let toCaller = try #require(out.sentResponses(200).first { $0.cseq.number == 2 })
        let answer = try SessionDescription.parse(toCaller.body)
        #expect(answer.audio?.direction == "recvonly")
        #expect(answer.audio?.port == (try SessionDescription.parse(ok.body)).audio?.port)  // still the relay
    }
}

extension B2BUATests {
    /// An agent phone's 183 with SDP: the caller gets a 183 with the relay's SDP, the relay learns
    /// the agent's address (early media flows before the answer), and the 200 carries the same SDP.
    @Test mutating func agentEarlyMediaIsRelayedToTheCaller() throws {
        registerAlice()
        let invite = TestPhones.invite()
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        var progress = TestPhones.agentResponse(183, to: agentInvite)
        progress.contentType = "application/sdp"
        progress.body = TestPhones.sdp(port: 41002, formats: [8])
        var out = feed(progress, from: TestPhones.alice)
        let early = try #require(out.sentResponses(183).first)
        #expect(early.callID == invite.callID)
        let earlySDP = try SessionDescription.parse(early.body)
        #expect(earlySDP.audio?.formats == [8])
        #expect(out.contains { if case .setMediaPeer("call-1", .agent, Endpoint(host: "127.0.0.1", port: 41002)) = $0 { true } else { false } })
        // A later 180 does not stop the caller's early media.
        #expect(feed(TestPhones.agentResponse(180, to: agentInvite), from: TestPhones.alice).sentResponses(180).isEmpty)
        out = feed(TestPhones.agentResponse(200, to: agentInvite, port: 41002), from: TestPhones.alice)
        let ok = try #require(out.sentResponses(200).first)
        #expect(ok.to.tag == early.to.tag)
        #expect(try SessionDescription.parse(ok.body) == earlySDP)
    }

    init(devices: DevicePolicy) throws {
        try self.init()
        let routing = CallCenterConfig(
            ringTimeout: .seconds(10), callsRequireNode: false, defaultRecipe: [],
            queues: [QueueConfig(name: "support")], agents: [AgentConfig(login: "alice"), AgentConfig(login: "bob")])
        core = B2BUA(
            settings: .init(sip: TestPhones.engine, mediaHost: "127.0.0.1", rtpPorts: 20000...20099, devices: devices),
            center: try CallCenter(config: routing), agents: ["alice", "bob"], queues: ["support"], seed: 42)
    }

    static let aliceDesk = Endpoint(host: "127.0.0.1", port: 7300)

    /// Alice registered from her softphone (7100) and then her desk phone (7300).
    mutating func registerAliceTwice() {
        _ = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        _ = feed(TestPhones.register("alice", from: Self.aliceDesk), from: Self.aliceDesk)
        #expect(core.registrar.bindings(of: "alice").count == 2)
    }

    @Test func mostRecentDeviceRingsAlone() throws {
        var t = try B2BUATests(devices: .mostRecent)
        t.registerAliceTwice()
        let out = t.feed(TestPhones.invite(), from: TestPhones.customer)
        #expect(out.sent.filter { $0.0.method == "INVITE" }.map(\.1) == [Self.aliceDesk])
    }

    @Test func ringAllDevicesRingsEveryContactAndCancelsTheOthersOnAnswer() throws {
        var t = try B2BUATests(devices: .ringAll)
        t.registerAliceTwice()
        let out = t.feed(TestPhones.invite(), from: TestPhones.customer)
        let invites = out.sent.filter { $0.0.method == "INVITE" }
        #expect(Set(invites.map(\.1)) == [TestPhones.alice, Self.aliceDesk])
        #expect(Set(invites.map(\.0.callID)).count == 2)
        let (deskInvite, _) = try #require(invites.first { $0.1 == Self.aliceDesk })
        let (softInvite, _) = try #require(invites.first { $0.1 == TestPhones.alice })
        _ = t.feed(TestPhones.agentResponse(180, to: softInvite), from: TestPhones.alice)
        let answered = t.feed(TestPhones.agentResponse(200, to: deskInvite), from: Self.aliceDesk)
        #expect(answered.sentResponses(200).first?.cseq.method == "INVITE")  // the caller is bridged
        let cancels = answered.sent.filter { $0.0.method == "CANCEL" }
        #expect(cancels.map(\.0.callID) == [softInvite.callID])
        #expect(cancels.map(\.1) == [TestPhones.alice])
        #expect(t.core.center.agentState("alice") == .onCall("call-1"))
    }

    @Test func ringAllDevicesFailsTheRingOnlyWhenEveryDeviceRefused() throws {
        var t = try B2BUATests(devices: .ringAll)
        t.registerAliceTwice()
        let invites = t.feed(TestPhones.invite(), from: TestPhones.customer).sent.filter { $0.0.method == "INVITE" }
        #expect(invites.count == 2)
        let first = t.feed(TestPhones.agentResponse(486, to: invites[0].0), from: invites[0].1)
        #expect(first.sent.filter { $0.0.method == "INVITE" || $0.0.method == "CANCEL" }.isEmpty)  // the other still rings
        #expect(t.core.center.agentState("alice") == .ringing("call-1"))
        _ = t.feed(TestPhones.agentResponse(603, to: invites[1].0), from: invites[1].1)
        #expect(t.core.center.agentState("alice") != .ringing("call-1"))
        #expect(t.core.activeCalls == 1)  // back in the queue
    }

    /// RFC 3261 §9.1: the other devices of a ring-all are cancelled only once they sent a 1xx.
    @Test func ringAllCancelsASiblingOnlyAfterItsProvisional() throws {
        var t = try B2BUATests(devices: .ringAll)
        t.registerAliceTwice()
        let invites = t.feed(TestPhones.invite(), from: TestPhones.customer).sent.filter { $0.0.method == "INVITE" }
        let (desk, deskTarget) = try #require(invites.first { $0.1 == Self.aliceDesk })
        let (soft, softTarget) = try #require(invites.first { $0.1 == TestPhones.alice })
        let answered = t.feed(TestPhones.agentResponse(200, to: desk), from: deskTarget)
        #expect(answered.sentRequests("CANCEL").isEmpty)  // the softphone has not sent a 1xx yet
        let ringing = t.feed(TestPhones.agentResponse(180, to: soft), from: softTarget)
        #expect(ringing.sentRequests("CANCEL").map(\.callID) == [soft.callID])
        #expect(ringing.sentResponses(180).isEmpty)  // the caller is answered already
    }

    /// The device whose early media the caller heard refuses: the next one's 183 is relayed.
    @Test mutating func earlyMediaMovesToTheNextRingingDevice() throws {
        registerAlice()
        _ = feed(TestPhones.register("bob", from: TestPhones.bob), from: TestPhones.bob)
        let first = try #require(feed(TestPhones.invite(), from: TestPhones.customer).sent.first { $0.0.method == "INVITE" })
        var progress = TestPhones.agentResponse(183, to: first.0)
        progress.contentType = "application/sdp"
        progress.body = TestPhones.sdp(port: 41010, formats: [0])
        #expect(feed(progress, from: first.1).sentResponses(183).count == 1)
        let next = try #require(feed(TestPhones.agentResponse(486, to: first.0), from: first.1).sent.first { $0.0.method == "INVITE" })
        // Only the codec the caller already agreed to is offered to the next agent.
        #expect(try SessionDescription.parse(next.0.body).audio?.formats.filter { $0 != 101 } == [0])
        var second = TestPhones.agentResponse(183, to: next.0, tag: "bob-tag")
        second.contentType = "application/sdp"
        second.body = TestPhones.sdp(port: 41020, formats: [0])
        let out = feed(second, from: next.1)
        #expect(out.sentResponses(183).count == 1)
        #expect(out.contains { if case .setMediaPeer("call-1", .agent, Endpoint(host: "127.0.0.1", port: 41020)) = $0 { true } else { false } })
    }
}
