import Foundation
import SIP
@testable import Engine
@testable import EngineCore

/// A hand-driven SIP phone on a loopback UDP socket (kernel-chosen port), or on one TCP
/// connection to the engine: the end-to-end tests build exactly the messages they mean with the
/// project's codec and wait for the engine's answers with a bounded poll.
final class RawPhone {
    let udp = RawUDP()
    /// The phone's connection when it speaks TCP (it then listens nowhere).
    let tcp: RawTCP?
    let user: String
    let engine: Int
    private var backlog: [SIPMessage] = []
    private var branches = 0

    init(_ user: String, engine: Int, transport: Transport = .udp) {
        self.user = user
        self.engine = engine
        self.tcp = transport == .tcp ? RawTCP(connectingTo: engine) : nil
    }

    var port: Int { tcp?.port ?? udp.port }
    var address: SIPURI {
        SIPURI(user: user, host: "127.0.0.1", port: port, parameters: tcp == nil ? [] : [Parameter("transport", "tcp")])
    }

    func via() -> Via { Via(transport: tcp == nil ? "UDP" : "TCP", host: "127.0.0.1", port: port, branch: branch()) }

    func send(_ m: SIPMessage) {
        if let tcp { tcp.send(SIPCodec.encode(m)) } else { udp.send(String(decoding: SIPCodec.encode(m), as: UTF8.self), toPort: engine) }
    }

    func branch() -> String { branches += 1; return "z9hG4bK-\(user)-\(port)-\(branches)" }

    /// The first message (kept or arriving within `timeout` seconds) that `matches`; the others are kept.
    func receive(timeout: Double = 10, _ matches: (SIPMessage) -> Bool) -> SIPMessage? {
        if let i = backlog.firstIndex(where: matches) { return backlog.remove(at: i) }
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            guard let bytes = tcp.map({ $0.receive() }) ?? udp.receive().map({ Array($0.utf8) }), let m = try? SIPCodec.decode(bytes) else { continue }
            if matches(m) { return m }
            backlog.append(m)
        }
        return nil
    }

    func request(_ method: String, _ callID: String, timeout: Double = 10) -> SIPMessage? {
        receive(timeout: timeout) { $0.method == method && $0.callID == callID }
    }

    func anyRequest(_ method: String, timeout: Double = 10) -> SIPMessage? {
        receive(timeout: timeout) { $0.method == method }
    }

    func finalResponse(_ callID: String, method: String, timeout: Double = 10) -> SIPMessage? {
        receive(timeout: timeout) { ($0.status ?? 0) >= 200 && $0.callID == callID && $0.cseq.method == method }
    }

    /// REGISTER (no authentication: the tests' engines run with require_auth false); true on 200.
    func register(expires: Int = 3600, contactPort: Int? = nil) -> Bool {
        var from = NameAddress(uri: SIPURI(user: user, host: "127.0.0.1", port: engine))
        from.tag = "reg-\(user)"
        let callID = "reg-\(user)-\(port)"
        send(SIPMessage(
            startLine: .request(method: "REGISTER", uri: SIPURI(host: "127.0.0.1", port: engine)),
            via: [via()], from: from,
            to: NameAddress(uri: from.uri), callID: callID, cseq: CSeq(UInt32(branches), "REGISTER"),
            contact: [NameAddress(uri: contactPort.map { SIPURI(user: user, host: "127.0.0.1", port: $0) } ?? address)],
            headers: [Header("Expires", String(expires))]))
        return finalResponse(callID, method: "REGISTER")?.status == 200
    }

    /// An agent-control MESSAGE ("release lunch", "available"); the response status.
    func control(_ text: String) -> Int? {
        var from = NameAddress(uri: SIPURI(user: user, host: "127.0.0.1", port: engine))
        from.tag = "ctl-\(user)"
        let callID = "ctl-\(user)-\(port)-\(branches)"
        send(SIPMessage(
            startLine: .request(method: "MESSAGE", uri: SIPURI(host: "127.0.0.1", port: engine)),
            via: [via()], from: from,
            to: NameAddress(uri: SIPURI(host: "127.0.0.1", port: engine)), callID: callID, cseq: CSeq(1, "MESSAGE"),
            contentType: "text/plain", body: Array(text.utf8)))
        return finalResponse(callID, method: "MESSAGE")?.status
    }

    static func sdp(port: Int) -> [UInt8] {
        Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio \(port) RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n".utf8)
    }

    /// A customer's INVITE to `queue`.
    func invite(_ queue: String, callID: String, rtpPort: Int? = nil) -> SIPMessage {
        var from = NameAddress(uri: address)
        from.tag = "tag-\(callID)"
        let m = SIPMessage(
            startLine: .request(method: "INVITE", uri: SIPURI(user: queue, host: "127.0.0.1", port: engine)),
            via: [via()], from: from,
            to: NameAddress(uri: SIPURI(user: queue, host: "127.0.0.1", port: engine)), callID: callID,
            cseq: CSeq(1, "INVITE"), contact: [NameAddress(uri: address)], contentType: "application/sdp",
            body: Self.sdp(port: rtpPort ?? 40000 + port % 1000 * 2))
        send(m)
        return m
    }

    /// ACK (for a 2xx, a new transaction) or BYE in the dialog our INVITE made, with its answer.
    func inDialog(_ method: String, invite: SIPMessage, answer: SIPMessage, cseq: UInt32) -> SIPMessage {
        let m = SIPMessage(
            startLine: .request(method: method, uri: answer.contact.first?.uri ?? invite.requestURI!),
            via: [via()], from: invite.from, to: answer.to,
            callID: invite.callID, cseq: CSeq(cseq, method), headers: [Header("Max-Forwards", "70")])
        send(m)
        return m
    }

    /// BYE in the dialog the engine's INVITE `ring` made with us, once we answered it with
    /// `respond` (our To tag is the one `respond` gave).
    func hangUp(_ ring: SIPMessage, tag: String = "agent-tag") -> SIPMessage {
        var from = ring.to
        from.tag = "\(tag)-\(ring.callID.prefix(8))"
        let m = SIPMessage(
            startLine: .request(method: "BYE", uri: ring.contact.first?.uri ?? ring.from.uri),
            via: [via()], from: from, to: ring.from,
            callID: ring.callID, cseq: CSeq(1, "BYE"), headers: [Header("Max-Forwards", "70")])
        send(m)
        return m
    }

    /// Our answer to a request the engine sent us (200 with SDP for an INVITE).
    func respond(_ status: Int, to request: SIPMessage, tag: String = "agent-tag", rtpPort: Int? = nil) {
        var r = request.response(status, toTag: request.method == "INVITE" ? "\(tag)-\(request.callID.prefix(8))" : nil)
        if request.method == "INVITE" && status == 200 {
            r.contact = [NameAddress(uri: address)]
            r.contentType = "application/sdp"
            r.body = Self.sdp(port: rtpPort ?? 41000 + port % 1000 * 2)
        }
        send(r)
    }
}
