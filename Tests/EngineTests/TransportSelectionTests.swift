import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The core's transport choices (RFC 3261 §18, RFC 5626 §5.3): what goes on which connection,
/// what the Via and Contact say, and the switch to TCP for large requests.
struct TransportSelectionTests {
    static func stack(streams: Set<Transport> = [.tcp, .tls]) throws -> SIPStack {
        var settings = B2BUA.Settings(sip: TestPhones.engine, mediaHost: "127.0.0.1", rtpPorts: 20000...20099)
        settings.streams = streams
        settings.tlsPort = 5061
        let routing = CallCenterConfig(ringTimeout: .seconds(10), callsRequireNode: false, defaultRecipe: [],
                                       queues: [QueueConfig(name: "support")], agents: [AgentConfig(login: "alice")])
        return SIPStack(core: B2BUA(settings: settings, center: try CallCenter(config: routing), agents: ["alice"], queues: ["support"], seed: 3))
    }

    @Test func anAgentRegisteredOverTCPIsCalledOnThatConnectionWithATCPViaAndContact() throws {
        var stack = try Self.stack()
        let flow = Endpoint(host: "127.0.0.1", port: 40123, transport: .tcp)
        var register = TestPhones.register("alice", from: TestPhones.alice)
        register.via[0].transport = "TCP"
        let registered = stack.handle(.received(register, from: flow), now: .seconds(1))
        // The 200 goes back on the connection the REGISTER came in on (§18.2.2).
        #expect(registered.sent.first { $0.0.status == 200 }?.1 == flow)
        let actions = stack.handle(.received(TestPhones.invite(), from: TestPhones.customer), now: .seconds(2))
        let (invite, to) = try #require(actions.sent.first { $0.0.method == "INVITE" })
        #expect(to == flow, "the INVITE must reuse the REGISTER's connection")
        #expect(invite.via[0].transport == "TCP" && invite.via[0].port == 5060)
        #expect(invite.contact.first.flatMap { Transport(of: $0.uri) } == .tcp)
        // No retransmission timer on a reliable transport (§17.1.1.2): only Timer B.
        #expect(!actions.contains { if case .startTimer(.transaction(let id), _) = $0 { id.timer == .a } else { false } })
        #expect(actions.contains { if case .startTimer(.transaction(let id), _) = $0 { id.timer == .b } else { false } })
    }

    @Test func aCallerOverTLSIsAnsweredOnItsConnectionAndItsContactNamesTLS() throws {
        var stack = try Self.stack()
        let flow = Endpoint(host: "127.0.0.1", port: 40999, transport: .tls)
        var invite = TestPhones.invite()
        invite.via[0].transport = "TLS"
        let actions = stack.handle(.received(invite, from: flow), now: .seconds(1))
        let trying = try #require(actions.sent.first { $0.0.status == 100 })
        #expect(trying.1 == flow)
        #expect(trying.0.via[0].parameter("rport") == "40999", "a stream's source port is stamped so the Via names the connection")
    }

    @Test func aRequestLargerThan1300BytesMovesToTCPWithItsVia() throws {
        var stack = try Self.stack()
        var register = TestPhones.register("alice", from: TestPhones.alice)
        register.headers.append(Header("Path", (1...14).map { "<sip:hop\($0)-\(String(repeating: "p", count: 50))@127.0.0.\($0 + 10);lr>" }.joined(separator: ", ")))
        _ = stack.handle(.received(register, from: TestPhones.alice), now: .seconds(1))
        let actions = stack.handle(.received(TestPhones.invite(), from: TestPhones.customer), now: .seconds(2))
        let (invite, to) = try #require(actions.sent.first { $0.0.method == "INVITE" })
        #expect(SIPCodec.encode(invite).count > SIPMessage.udpSizeLimit)
        #expect(to.transport == .tcp && to.host == "127.0.0.11" && to.port == 5060)
        #expect(invite.via[0].transport == "TCP")
        // Without TCP served, it stays on UDP (nothing else could carry it).
        var udpOnly = try Self.stack(streams: [])
        _ = udpOnly.handle(.received(register, from: TestPhones.alice), now: .seconds(1))
        let out = udpOnly.handle(.received(TestPhones.invite(), from: TestPhones.customer), now: .seconds(2))
        #expect(out.sent.first { $0.0.method == "INVITE" }?.1.transport == .udp)
    }

    @Test func aStreamWithoutItsConnectionFallsBackToTheMessagesNextHop() {
        var request = TestPhones.invite()
        request.route = [NameAddress(uri: SIPURI(host: "127.0.0.9", port: 5070, parameters: [Parameter("lr"), Parameter("transport", "tcp")]))]
        #expect(request.streamFallback(over: .tcp) == Endpoint(host: "127.0.0.9", port: 5070, transport: .tcp))
        // RFC 3263 §4.1: a URI without transport= means UDP, whatever the lost connection was.
        request.route = []
        #expect(request.streamFallback(over: .tls) == Endpoint(host: "127.0.0.1", port: 5060, transport: .udp))
        var response = TestPhones.invite().response(200, toTag: "x")
        response.via[0].setParameter("received", "127.0.0.12")
        #expect(response.streamFallback(over: .tcp) == Endpoint(host: "127.0.0.12", port: 7000, transport: .tcp))
        #expect(Endpoint(uri: SIPURI(scheme: "sips", host: "example.org")) == Endpoint(host: "example.org", port: 5061, transport: .tls))
    }

    /// RFC 3261 §9.1: the CANCEL of an INVITE that moved to TCP for its size goes the same way,
    /// with the same top Via.
    @Test func theCancelOfAnInviteMovedToTCPFollowsIt() throws {
        var stack = try Self.stack()
        var register = TestPhones.register("alice", from: TestPhones.alice)
        register.headers.append(Header("Path", (1...14).map { "<sip:hop\($0)-\(String(repeating: "p", count: 50))@127.0.0.\($0 + 10);lr>" }.joined(separator: ", ")))
        _ = stack.handle(.received(register, from: TestPhones.alice), now: .seconds(1))
        let invite = TestPhones.invite()
        let actions = stack.handle(.received(invite, from: TestPhones.customer), now: .seconds(2))
        let (toAgent, inviteTo) = try #require(actions.sent.first { $0.0.method == "INVITE" })
        #expect(inviteTo.transport == .tcp)
        _ = stack.handle(.received(TestPhones.agentResponse(180, to: toAgent), from: inviteTo), now: .seconds(2.1))
        let cancelled = stack.handle(.received(TestPhones.cancel(invite), from: TestPhones.customer), now: .seconds(3))
        let (cancel, cancelTo) = try #require(cancelled.sent.first { $0.0.method == "CANCEL" })
        #expect(cancelTo == inviteTo)
        #expect(cancel.via.first == toAgent.via.first)
    }

    @Test func aFailedSendFailsItsTransactionAtOnce() throws {
        var stack = try Self.stack()
        _ = stack.handle(.received(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice), now: .seconds(1))
        let actions = stack.handle(.received(TestPhones.invite(), from: TestPhones.customer), now: .seconds(2))
        let invite = try #require(actions.sentRequests("INVITE").first)
        let after = stack.handle(.sendFailed(invite), now: .seconds(2.1))
        // The ring failed at once (not after Timer B's 32 s), named as such, and the call goes on routing.
        #expect(after.contains { if case .log(_, let text, _) = $0 { text.contains("agent alice could not be reached") } else { false } }, "\(after)")
        #expect(after.contains { if case .cancelTimer(.transaction(let id)) = $0 { id.timer == .b } else { false } }, "Timer B still armed")
    }
}
