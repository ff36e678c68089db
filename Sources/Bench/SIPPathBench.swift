import CallCenter
import Engine
import Foundation
import SIP

/// The engine's per-message cost without sockets: whole calls (customer INVITE, agent 180/200,
/// ACK, BYE both ways, every response and the agent's REGISTER first) pushed as bytes through the
/// same path ccengine runs (`SIPIngress` -> `SIPStack` -> `SIPCodec.encode`), timed on one thread.
/// The bare reference copies each datagram and hashes its Call-ID line, which is the least any
/// SIP server does per message. `ccbench sip` prints both and the ratio.
public struct SIPPathBench: Sendable {
    public var calls: Int

    public init(calls: Int = 20_000) { self.calls = calls }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public struct Result: Codable, Sendable {
        public var calls: Int
        public var messages: Int
        public var engineMicrosPerMessage: Double
        public var engineMicrosPerCall: Double
        public var decodeMicrosPerMessage: Double
        public var bareMicrosPerMessage: Double
        /// Microseconds per incoming message of each kind (its whole handling, encoding what it sends).
        public var microsByKind: [String: Double] = [:]
        /// Of which decoding (validation, libosip2, the Swift model).
        public var decodeMicrosByKind: [String: Double] = [:]
        public var ratio: Double { engineMicrosPerMessage / bareMicrosPerMessage }

        public func textTable() -> String {
            String(format: """
                engine SIP path, in process (%d calls, %d messages in and out)
                  engine: %.2f µs per message (%.1f µs per call), of which decoding %.2f µs
                  bare (copy + hash the Call-ID): %.3f µs per message
                  ratio %.0f (engine / bare)
                """, calls, messages, engineMicrosPerMessage, engineMicrosPerCall, decodeMicrosPerMessage, bareMicrosPerMessage, ratio)
                + "\n  per incoming message: " + microsByKind.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f µs (decode %.1f)", $0.key, $0.value, decodeMicrosByKind[$0.key] ?? 0) }.joined(separator: ", ")
        }
    }

    static let engine = Endpoint(host: "127.0.0.1", port: 5060)
    static let customer = Endpoint(host: "127.0.0.1", port: 7000)
    static let agent = Endpoint(host: "127.0.0.1", port: 7100)

    public func run() throws -> Result {
        var routing = CallCenterConfig(
            ringTimeout: .seconds(30), callsRequireNode: false, defaultRecipe: [],
            queues: [QueueConfig(name: "support")], agents: [AgentConfig(login: "alice")])
        routing.wrapUpTime = .zero
        let b2bua = B2BUA(settings: .init(sip: Self.engine, mediaHost: "127.0.0.1", rtpPorts: 20000...29999),
                          center: try CallCenter(config: routing), agents: ["alice"], queues: ["support"], seed: 1)
        var stack = SIPStack(core: b2bua)
        var ingress = SIPIngress()
        var now = Duration.zero
        var messages = 0
        var decodeNanos: UInt64 = 0
        var byKind: [String: (nanos: UInt64, count: Int)] = [:]
        var decodeByKind: [String: UInt64] = [:]

        // One step: bytes in, every SIP message out encoded (what the driver writes).
        func feed(_ bytes: [UInt8], from: Endpoint) -> [SIPMessage] {
            now += .microseconds(100)
            messages += 1
            let t0 = DispatchTime.now().uptimeNanoseconds
            guard case .message(let m) = ingress.accept(bytes, from: from, now: now) else { return [] }
            let decoded = DispatchTime.now().uptimeNanoseconds - t0
            decodeNanos += decoded
            decodeByKind[m.method ?? "\(m.status ?? 0) \(m.cseq.method)", default: 0] += decoded
            var sent: [SIPMessage] = []
            var closed: [Int] = []
            for action in stack.handle(.received(m, from: from), now: now) {
                if case .send(let out, _) = action {
                    messages += 1
                    _ = SIPCodec.encode(out)
                    sent.append(out)
                }
                if case .closeMedia(_, let ports) = action { closed += ports }
            }
            // The relay's answer once a call's sockets are closed (the driver feeds it): the
            // ports go back to the pool, as in ccengine (without it the pool runs dry).
            if !closed.isEmpty { _ = stack.handle(.mediaClosed(ports: closed), now: now) }
            let kind = m.method ?? "\(m.status ?? 0) \(m.cseq.method)"
            byKind[kind, default: (0, 0)].nanos += DispatchTime.now().uptimeNanoseconds - t0
            byKind[kind, default: (0, 0)].count += 1
            return sent
        }

        _ = feed(SIPCodec.encode(Self.register()), from: Self.agent)
        let start = DispatchTime.now().uptimeNanoseconds
        decodeNanos = 0
        messages = 0
        for n in 0..<calls {
            let invite = Self.invite(n)
            let toAgent = feed(SIPCodec.encode(invite), from: Self.customer)
            guard let agentInvite = toAgent.first(where: { $0.method == "INVITE" }) else { throw Failure(description: "no agent INVITE for call \(n)") }
            _ = feed(SIPCodec.encode(agentInvite.response(180, toTag: "a\(n)")), from: Self.agent)
            var ok = agentInvite.response(200, toTag: "a\(n)")
            ok.contact = [NameAddress(uri: SIPURI(user: "alice", host: "127.0.0.1", port: Self.agent.port))]
            ok.contentType = "application/sdp"
            ok.body = Self.sdp(port: 41000)
            let toCustomer = feed(SIPCodec.encode(ok), from: Self.agent)
            guard let answer = toCustomer.first(where: { $0.status == 200 && $0.cseq.method == "INVITE" }), let tag = answer.to.tag else {
                throw Failure(description: "call \(n) was not answered")
            }
            _ = feed(SIPCodec.encode(Self.inDialog("ACK", invite, toTag: tag, cseq: 1)), from: Self.customer)
            let byes = feed(SIPCodec.encode(Self.inDialog("BYE", invite, toTag: tag, cseq: 2)), from: Self.customer)
            if let bye = byes.first(where: { $0.method == "BYE" }) {
                _ = feed(SIPCodec.encode(bye.response(200)), from: Self.agent)
            }
        }
        let engineNanos = DispatchTime.now().uptimeNanoseconds - start

        // Bare reference over the same bytes: copy the datagram, find and hash the Call-ID line.
        let samples = [SIPCodec.encode(Self.invite(1)), SIPCodec.encode(Self.inDialog("BYE", Self.invite(1), toTag: "x", cseq: 2))]
        var sink = Hasher()
        let bareStart = DispatchTime.now().uptimeNanoseconds
        let needle = Array("\nCall-ID:".utf8)
        for i in 0..<messages {
            let copy = Array(samples[i & 1])
            copy.withUnsafeBufferPointer { b in
                var j = 0
                while j + needle.count <= b.count {
                    if b[j] == needle[0] && b[j + 1] == needle[1] && Array(b[j..<j + needle.count]) == needle {
                        sink.combine(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[j..<min(b.count, j + 40)]))
                        break
                    }
                    j += 1
                }
            }
        }
        let bareNanos = DispatchTime.now().uptimeNanoseconds - bareStart
        _ = sink.finalize()
        var result = Result(
            calls: calls, messages: messages,
            engineMicrosPerMessage: Double(engineNanos) / 1000 / Double(messages),
            engineMicrosPerCall: Double(engineNanos) / 1000 / Double(calls),
            decodeMicrosPerMessage: Double(decodeNanos) / 1000 / Double(messages),
            bareMicrosPerMessage: Double(bareNanos) / 1000 / Double(messages))
        result.microsByKind = byKind.mapValues { Double($0.nanos) / 1000 / Double(max($0.count, 1)) }
        result.decodeMicrosByKind = Dictionary(uniqueKeysWithValues: byKind.map { k, v in (k, Double(decodeByKind[k] ?? 0) / 1000 / Double(max(v.count, 1))) })
        return result
    }

    static func sdp(port: Int) -> [UInt8] {
        Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio \(port) RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n".utf8)
    }

    static func register() -> SIPMessage {
        let aor = NameAddress(uri: SIPURI(user: "alice", host: engine.host, port: engine.port))
        var from = aor
        from.tag = "reg"
        return SIPMessage(
            startLine: .request(method: "REGISTER", uri: SIPURI(host: engine.host, port: engine.port)),
            via: [Via(host: agent.host, port: agent.port, branch: "z9hG4bK-reg")], from: from, to: aor,
            callID: "reg@bench", cseq: CSeq(1, "REGISTER"),
            contact: [NameAddress(uri: SIPURI(user: "alice", host: agent.host, port: agent.port))],
            headers: [Header("Expires", "3600"), Header("Max-Forwards", "70")])
    }

    static func invite(_ n: Int) -> SIPMessage {
        var from = NameAddress(displayName: "Customer", uri: SIPURI(user: "cust\(n)", host: customer.host, port: customer.port))
        from.tag = "c\(n)"
        return SIPMessage(
            startLine: .request(method: "INVITE", uri: SIPURI(user: "support", host: engine.host, port: engine.port)),
            via: [Via(host: customer.host, port: customer.port, branch: "z9hG4bK-i\(n)")], from: from,
            to: NameAddress(uri: SIPURI(user: "support", host: engine.host, port: engine.port)),
            callID: "bench-\(n)@127.0.0.1", cseq: CSeq(1, "INVITE"),
            contact: [NameAddress(uri: SIPURI(user: "cust\(n)", host: customer.host, port: customer.port))],
            contentType: "application/sdp", headers: [Header("Max-Forwards", "70")], body: sdp(port: 40000))
    }

    static func inDialog(_ method: String, _ invite: SIPMessage, toTag: String, cseq: UInt32) -> SIPMessage {
        var to = invite.to
        to.tag = toTag
        return SIPMessage(
            startLine: .request(method: method, uri: SIPURI(user: "support", host: engine.host, port: engine.port)),
            via: [Via(host: customer.host, port: customer.port, branch: "z9hG4bK-\(method)-\(invite.callID)")], from: invite.from, to: to,
            callID: invite.callID, cseq: CSeq(cseq, method), headers: [Header("Max-Forwards", "70")])
    }
}
