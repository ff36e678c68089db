import CallCenter
import SIP
@testable import Engine
@testable import EngineCore

/// Builders for the messages a customer phone and an agent phone send, so B2BUA tests read like
/// call flows.
enum TestPhones {
    static let engine = Endpoint(host: "127.0.0.1", port: 5060)
    static let customer = Endpoint(host: "127.0.0.1", port: 7000)
    static let alice = Endpoint(host: "127.0.0.1", port: 7100)
    static let bob = Endpoint(host: "127.0.0.1", port: 7200)

    /// A B2BUA in front of one queue `support` with these agents, on a manual clock.
    static func core(agents: [String] = ["alice", "bob"], wrapUp: Duration = .zero, seed: UInt64 = 42) throws -> B2BUA {
        let routing = CallCenterConfig(
            ringTimeout: .seconds(10), wrapUpTime: wrapUp, callsRequireNode: false, defaultRecipe: [],
            queues: [QueueConfig(name: "support")], agents: agents.map { AgentConfig(login: $0) })
        return B2BUA(
            settings: .init(sip: engine, mediaHost: "127.0.0.1", rtpPorts: 20000...20099),
            center: try CallCenter(config: routing), agents: Set(agents), queues: ["support"], seed: seed)
    }

    static func sdp(port: Int, formats: [Int] = [0, 8]) -> [UInt8] {
        Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio \(port) RTP/AVP \(formats.map(String.init).joined(separator: " "))\r\n".utf8)
    }

    static func register(_ login: String, from: Endpoint, expires: Int = 3600, contactPort: Int?? = nil) -> SIPMessage {
        let aor = NameAddress(uri: SIPURI(user: login, host: "127.0.0.1", port: 5060))
        var f = aor
        f.tag = "reg-\(login)"
        let port: Int? = contactPort ?? from.port
        return SIPMessage(
            startLine: .request(method: "REGISTER", uri: SIPURI(host: "127.0.0.1", port: 5060)),
            via: [Via(host: from.host, port: from.port, branch: "z9hG4bK-reg-\(login)-\(expires)")], from: f, to: aor,
            callID: "reg-\(login)@test", cseq: CSeq(1, "REGISTER"),
            contact: [NameAddress(uri: SIPURI(user: login, host: from.host, port: port))],
            headers: [Header("Expires", String(expires))])
    }

    /// An agent-control MESSAGE (RFC 3428) from `login`'s phone.
    static func message(_ text: String, from login: String, port: Int = 7100) -> SIPMessage {
        var f = NameAddress(uri: SIPURI(user: login, host: "127.0.0.1", port: 5060))
        f.tag = "msg-\(login)"
        return SIPMessage(
            startLine: .request(method: "MESSAGE", uri: SIPURI(host: "127.0.0.1", port: 5060)),
            via: [Via(host: "127.0.0.1", port: port, branch: "z9hG4bK-msg-\(text.hashValue)")], from: f,
            to: NameAddress(uri: SIPURI(host: "127.0.0.1", port: 5060)), callID: "msg-\(login)-\(text)@test", cseq: CSeq(1, "MESSAGE"),
            contentType: "text/plain", body: Array(text.utf8))
    }

    static func invite(queue: String = "support", callID: String = "call-1", formats: [Int] = [0, 8], body: [UInt8]? = nil) -> SIPMessage {
        var from = NameAddress(displayName: "Carol", uri: SIPURI(user: "carol", host: "127.0.0.1", port: customer.port))
        from.tag = "cust-tag"
        return SIPMessage(
            startLine: .request(method: "INVITE", uri: SIPURI(user: queue, host: "127.0.0.1", port: 5060)),
            via: [Via(host: "127.0.0.1", port: customer.port, branch: "z9hG4bK-inv-\(callID)")], from: from,
            to: NameAddress(uri: SIPURI(user: queue, host: "127.0.0.1", port: 5060)),
            callID: callID, cseq: CSeq(1, "INVITE"),
            contact: [NameAddress(uri: SIPURI(user: "carol", host: "127.0.0.1", port: customer.port))],
            contentType: "application/sdp", body: body ?? sdp(port: 40000, formats: formats))
    }

    /// A request from the customer inside the dialog the engine answered.
    static func inDialog(_ method: String, after invite: SIPMessage, toTag: String, cseq: UInt32 = 2, branch: String = "z9hG4bK-cust-x") -> SIPMessage {
        var to = invite.to
        to.tag = toTag
        return SIPMessage(
            startLine: .request(method: method, uri: SIPURI(user: "support", host: "127.0.0.1", port: 5060)),
            via: [Via(host: "127.0.0.1", port: customer.port, branch: branch)], from: invite.from, to: to,
            callID: invite.callID, cseq: CSeq(cseq, method))
    }

    static func cancel(_ invite: SIPMessage) -> SIPMessage {
        SIPMessage(startLine: .request(method: "CANCEL", uri: invite.requestURI!), via: invite.via, from: invite.from, to: invite.to,
                   callID: invite.callID, cseq: CSeq(invite.cseq.number, "CANCEL"))
    }

    /// The agent phone's answer to the engine's INVITE.
    static func agentResponse(_ status: Int, to invite: SIPMessage, tag: String = "agent-tag", port: Int = 41000) -> SIPMessage {
        var r = invite.response(status, toTag: tag)
        if status == 200 {
            r.contact = [NameAddress(uri: invite.requestURI!)]
            r.contentType = "application/sdp"
            r.body = sdp(port: port, formats: [0])
        }
        return r
    }
}

/// What the tests read from either layer's actions (`B2BUAAction`, `EngineAction`).
protocol CoreActionReading {
    var sentMessage: (SIPMessage, Endpoint)? { get }
    var recorded: CallRecord? { get }
}

extension CoreAction: CoreActionReading {
    var sentMessage: (SIPMessage, Endpoint)? { if case .send(let m, let to) = self { (m, to) } else { nil } }
    var recorded: CallRecord? { if case .record(let r, _) = self { r } else { nil } }
}

extension Array where Element: CoreActionReading {
    var sent: [(SIPMessage, Endpoint)] { compactMap(\.sentMessage) }
    func sentRequests(_ method: String) -> [SIPMessage] { sent.map(\.0).filter { $0.method == method } }
    func sentResponses(_ status: Int) -> [SIPMessage] { sent.map(\.0).filter { $0.status == status } }
    var records: [CallRecord] { compactMap(\.recorded) }
}
