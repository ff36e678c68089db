import Foundation
import Logging
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// SIP over TCP and TLS against a real ccengine (RFC 3261 §18): phones on one connection each
/// (they listen nowhere, so every request the engine sends them must reuse that connection),
/// SIPp over TCP with one connection (`-t t1`) and one per call (`-t tn`), baresip over TLS in
/// `BaresipInteropTests`, and the UDP size rules of §18.1.1.
@Suite(.serialized) struct StreamTransportTests {
    static func engineYAML(port: Int, rtp: String, extra: String = "") -> String {
        """
        sip: {address: 127.0.0.1:\(port), require_auth: false, tcp: true\(extra)}
        media: {rtp_ports: \(rtp)}
        routing: {ring_timeout: 10s, wrap_up: 0s}
        queues: [{name: support}]
        agents: [{login: alice}]
        """
    }

    static func start(_ name: String, port: Int, rtp: String, extra: String = "") throws -> (EngineProcess, String) {
        let dir = E2E.tempDirectory(name)
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: engineYAML(port: port, rtp: rtp, extra: extra), directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        guard FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 50) else {
            engine.stop()
            throw SimulationError.engineStart("engine did not answer OPTIONS; see \(engine.logPath)")
        }
        return (engine, dir)
    }

    /// An agent registered over TCP gets its INVITE, the ACK and the BYE on the connection its
    /// REGISTER used (it has no other socket); its answer goes back on it; a CRLF ping on it is
    /// answered with a CRLF pong (RFC 5626 §3.5.1). The caller is on UDP: the engine bridges the two.
    @Test func agentRegisteredOverTCPGetsItsCallsOnThatConnection() throws {
        let port = E2E.freeUDPAndTCPPort()
        let (engine, _) = try Self.start("tcp-agent", port: port, rtp: "27700-27749")
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port, transport: .tcp)
        #expect(alice.register(), "REGISTER over TCP was not answered 200 on its connection")

        alice.tcp?.send(Array("\r\n\r\n".utf8))
        #expect(alice.tcp?.receiveRaw() == Array("\r\n".utf8), "no pong for a CRLF ping")

        let caller = RawPhone("caller", engine: port)
        let invite = caller.invite("support", callID: "tcp-call-1")
        let toAgent = try #require(alice.anyRequest("INVITE"), "the agent's INVITE did not come on its TCP connection")
        #expect(toAgent.via.first?.transport == "TCP")
        #expect(toAgent.contact.first.flatMap { Transport(of: $0.uri) } == .tcp, "the engine's Contact does not name TCP: \(toAgent.contact)")
        alice.respond(200, to: toAgent)
        let answer = try #require(caller.finalResponse("tcp-call-1", method: "INVITE"))
        #expect(answer.status == 200)
        _ = caller.inDialog("ACK", invite: invite, answer: answer, cseq: 1)
        #expect(alice.request("ACK", toAgent.callID) != nil, "the ACK to the agent did not come on its connection")
        _ = caller.inDialog("BYE", invite: invite, answer: answer, cseq: 2)
        let bye = try #require(alice.request("BYE", toAgent.callID), "the BYE to the agent did not come on its connection")
        #expect(bye.via.first?.transport == "TCP")
        alice.respond(200, to: bye)
        #expect(caller.finalResponse("tcp-call-1", method: "BYE")?.status == 200)
    }

    /// Open connections are a metric (`ccengine_sip_connections{transport}`), sampled each second.
    @Test func openConnectionsAreAMetric() throws {
        let port = E2E.freeUDPAndTCPPort()
        let yaml = OperationsAPITests.config(port: port, rtp: "28200-28299").replacingOccurrences(of: "require_auth: false}", with: "require_auth: false, tcp: true}")
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: yaml, directory: E2E.tempDirectory("tcp-metric"),
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        guard FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 50), let apiPort = HTTPTestClient.apiPort(log: engine.logPath) else {
            Issue.record("the engine or its API did not start; see \(engine.logPath)")
            return
        }
        let api = HTTPTestClient(base: "http://127.0.0.1:\(apiPort)", token: OperationsAPITests.tokens["sup"])
        let phones = [RawPhone("alice", engine: port, transport: .tcp), RawPhone("bob", engine: port, transport: .tcp)]
        for p in phones { #expect(p.register()) }
        var seen = ""
        for _ in 0..<50 where !seen.contains("ccengine_sip_connections{transport=\"tcp\"} 2") {
            seen = api("GET", "/metrics").text
            if !seen.contains("ccengine_sip_connections{transport=\"tcp\"} 2") { usleep(100_000) }
        }
        #expect(seen.contains("ccengine_sip_connections{transport=\"tcp\"} 2"), "\(seen.split(separator: "\n").filter { $0.contains("connections") })")
    }

    /// A 3,000-byte INVITE over UDP (IP fragments on loopback) is read and answered; an INVITE
    /// the engine sends that is larger than 1,300 bytes goes over TCP (RFC 3261 §18.1.1), here to
    /// the first proxy of the agent's Path, a listener of this test, with a TCP Via.
    @Test func largeRequestsOverUDPAndTheSwitchToTCP() throws {
        let port = E2E.freeUDPAndTCPPort()
        let (engine, _) = try Self.start("tcp-mtu", port: port, rtp: "27750-27799")
        defer { engine.stop() }
        // The agent registered over UDP through a "proxy" chain whose Path makes every INVITE to it large.
        let proxy = RawTCPListener()
        let alice = RawPhone("alice", engine: port)
        var from = NameAddress(uri: SIPURI(user: "alice", host: "127.0.0.1", port: port))
        from.tag = "reg-alice"
        let hops = ["<sip:edge@127.0.0.1:\(proxy.port);lr>"]
            + (1...12).map { "<sip:hop\($0)-\(String(repeating: "p", count: 60))@127.0.0.\($0 + 10):5060;lr>" }
        alice.send(SIPMessage(
            startLine: .request(method: "REGISTER", uri: SIPURI(host: "127.0.0.1", port: port)),
            via: [alice.via()], from: from, to: NameAddress(uri: from.uri), callID: "reg-mtu", cseq: CSeq(1, "REGISTER"),
            contact: [NameAddress(uri: alice.address)],
            headers: [Header("Expires", "600"), Header("Path", hops.joined(separator: ", ")), Header("Supported", "path")]))
        #expect(alice.finalResponse("reg-mtu", method: "REGISTER")?.status == 200)

        // A caller's 3,000-byte INVITE (a long header of its own) over UDP.
        let caller = RawPhone("caller", engine: port)
        var from2 = NameAddress(uri: caller.address)
        from2.tag = "big"
        let big = SIPMessage(
            startLine: .request(method: "INVITE", uri: SIPURI(user: "support", host: "127.0.0.1", port: port)),
            via: [caller.via()], from: from2, to: NameAddress(uri: SIPURI(user: "support", host: "127.0.0.1", port: port)),
            callID: "big-invite", cseq: CSeq(1, "INVITE"), contact: [NameAddress(uri: caller.address)], contentType: "application/sdp",
            headers: [Header("Max-Forwards", "70"), Header("X-Padding", String(repeating: "x", count: 2600))],
            body: RawPhone.sdp(port: 40000 + caller.port % 1000 * 2))
        #expect(SIPCodec.encode(big).count > 3000)
        caller.send(big)
        #expect(caller.receive { $0.callID == "big-invite" && ($0.status ?? 0) >= 100 } != nil, "the 3,000-byte INVITE was not answered")

        let connection = try #require(proxy.accept(timeout: 10), "the engine did not open a TCP connection to the Path's first hop")
        let bytes = try #require(connection.receive(), "nothing arrived on the TCP connection")
        let toAgent = try SIPCodec.decode(bytes)
        #expect(toAgent.method == "INVITE" && bytes.count > SIPMessage.udpSizeLimit, "\(bytes.count) bytes")
        #expect(toAgent.via.first?.transport == "TCP", "the Via of a request moved to TCP must say TCP: \(toAgent.via)")
        #expect(toAgent.route.count == hops.count)
    }

    /// SIPp's `uac` over TCP, first on one connection for all calls (`-t t1`), then one connection
    /// per call (`-t tn`): 200 calls each through the queue to ccsim's agents, two registered over
    /// TCP and two over TLS (each on its one connection). Every call is answered and recorded.
    @Test func sippOverTCPCompletesCallsToAgentsOnTCPAndTLS() async throws {
        guard let sipp = E2E.which("sipp") else {
            Issue.record("sipp is not installed: run `make test`, which installs sip-tester")
            return
        }
        let port = E2E.freeUDPAndTCPPort(), tlsPort = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory("sipp-tcp")
        let cert = try E2E.selfSignedCertificate(in: dir)
        let path = dir + "/scenario.yaml"
        try """
            name: sipp-tcp
            duration: 45s
            engine:
              sip: {address: 127.0.0.1:\(port), tcp: true, tls: {port: \(tlsPort), certificate: \(cert.certificate), key: \(cert.key)}}
              media: {rtp_ports: 27800-27899}
              routing: {ring_timeout: 10s, wrap_up: 0s}
              queues: [{name: support}]
              agents: [{login: a1, password: a1-secret}, {login: a2, password: a2-secret}, {login: a3, password: a3-secret}, {login: a4, password: a4-secret}]
            agents:
              - {name: tcp, logins: [a1, a2], answer_delay: 0.05s, transport: tcp}
              - {name: tls, logins: [a3, a4], answer_delay: 0.05s, transport: tls}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engineBinary = E2E.engineBinary
        options.quiet = true
        let scenario = try ScenarioFile.load(path)
        let run = Task { try await SimulationRun(scenario: scenario, options: options, logger: Logger(label: "test")).run() }
        let engineLog = dir + "/report/engine.log"
        var registered = false
        for _ in 0..<300 where !registered {
            let log = (try? String(contentsOfFile: engineLog, encoding: .utf8)) ?? ""
            registered = ["a1", "a2", "a3", "a4"].allSatisfy { log.contains("agent \($0) registered") }
            if !registered { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(registered, "the agents did not register; see \(engineLog)")
        for mode in ["t1", "tn"] {
            let (status, out) = try E2E.run(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(port)", "-t", mode, "-max_socket", "512",
                                                   "-i", "127.0.0.1", "-p", String(E2E.freeUDPAndTCPPort()), "-m", "200", "-r", "25",
                                                   "-nostdin", "-timeout", "60s"], timeout: 70, cwd: dir)
            #expect(status == 0, "sipp -t \(mode):\n\(out.suffix(1500))")
            #expect(SIPpInteropTests.unexpectedMessages(out) == 0, "sipp -t \(mode) saw unexpected messages")
        }
        let result = try await run.value
        let answered = result.records?.filter { $0.disposition == "answered" } ?? []
        #expect(answered.count == 400)
        // every agent took calls: both transports carried INVITEs
        #expect(Set(answered.compactMap(\.agent)) == ["a1", "a2", "a3", "a4"])
    }

    /// 200 calls over TLS end to end (Debian's SIPp has no TLS, so ccsim's phones are the load):
    /// 200 callers, each on its own TLS connection, to 4 agents on theirs; every call answered
    /// and recorded. No media, to keep the TLS signalling the load.
    @Test func twoHundredCallsOverTLS() async throws {
        let port = E2E.freeUDPAndTCPPort(), tlsPort = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory("tls-200")
        let cert = try E2E.selfSignedCertificate(in: dir)
        let path = dir + "/scenario.yaml"
        try """
            name: tls-200
            duration: 40s
            media: false
            engine:
              sip: {address: 127.0.0.1:\(port), tls: {port: \(tlsPort), certificate: \(cert.certificate), key: \(cert.key)}}
              media: {rtp_ports: 28400-28999}
              routing: {ring_timeout: 10s, wrap_up: 0s}
              queues: [{name: support}]
              agents: [{login: a1, password: a1-secret}, {login: a2, password: a2-secret}, {login: a3, password: a3-secret}, {login: a4, password: a4-secret}]
            agents:
              - {logins: [a1, a2, a3, a4], answer_delay: 0.05s, transport: tls}
            customers:
              - {queue: support, calls: 200, arrival: {every: 0.1s}, hold_time: 0.2s, transport: tls}
            expect:
              all_answered: true
            """.write(toFile: path, atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engineBinary = E2E.engineBinary
        options.quiet = true
        let result = try await SimulationRun(scenario: try ScenarioFile.load(path), options: options, logger: Logger(label: "test")).run()
        let answered = result.calls.filter { $0.outcome == .answered }.count
        #expect(answered == 200, "\(result.calls.filter { $0.outcome != .answered }.prefix(3))")
        #expect(result.records?.filter { $0.disposition == "answered" }.count == 200)
    }

    /// ccsim's own phones over TCP and over TLS on both sides: every call answered with two-way
    /// audio (checked by Goertzel), and no REGISTER or INVITE travelled over UDP (capture).
    @Test func ccsimPhonesOverTCPAndTLS() async throws {
        let port = E2E.freeUDPAndTCPPort(), tlsPort = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory("ccsim-tls")
        let cert = try E2E.selfSignedCertificate(in: dir)
        let path = dir + "/scenario.yaml"
        try """
            name: streams
            duration: 40s
            engine:
              sip: {address: 127.0.0.1:\(port), tcp: true, tls: {port: \(tlsPort), certificate: \(cert.certificate), key: \(cert.key)}}
              media: {rtp_ports: 27900-27999}
              routing: {ring_timeout: 10s, wrap_up: 0s}
              queues: [{name: support}]
              agents: [{login: a1, password: a1-secret}, {login: a2, password: a2-secret}]
            agents:
              - {name: tcp, logins: [a1], answer_delay: 0.1s, transport: tcp}
              - {name: tls, logins: [a2], answer_delay: 0.1s, transport: tls}
            customers:
              - {queue: support, calls: 4, arrival: {every: 0.5s}, hold_time: 1.5s, transport: tcp, caller_prefix: tcp}
              - {queue: support, calls: 4, arrival: {every: 0.5s, start: 0.25s}, hold_time: 1.5s, transport: tls, caller_prefix: tls}
            expect:
              all_answered: true
              media_verified: true
            """.write(toFile: path, atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engineBinary = E2E.engineBinary
        options.pcapPath = dir + "/sip.pcap"
        options.quiet = true
        let result = try await SimulationRun(scenario: try ScenarioFile.load(path), options: options, logger: Logger(label: "test")).run()
        #expect(result.calls.count == 8)
        for call in result.calls { #expect(call.outcome == .answered && call.mediaVerified, "\(call)") }
        let tshark = try #require(E2E.which("tshark"), "tshark is not installed: run `make test`")
        let (status, out) = try E2E.run(tshark, ["-r", dir + "/sip.pcap", "-Y", "sip && udp", "-T", "fields", "-e", "sip.CSeq.method"])
        try #require(status == 0, "tshark failed: \(out)")
        let methods = { (text: String) in Set(text.split(separator: "\n").map(String.init).filter { $0.allSatisfy(\.isUppercase) }) }
        let overUDP = methods(out)
        #expect(overUDP.isSubset(of: ["OPTIONS"]), "SIP over UDP besides the readiness probe: \(overUDP)")
        let tcp = try E2E.run(tshark, ["-r", dir + "/sip.pcap", "-Y", "sip && tcp", "-T", "fields", "-e", "sip.CSeq.method"])
        let overTCP = methods(tcp.output)
        #expect(overTCP.isSuperset(of: ["REGISTER", "INVITE", "ACK", "BYE"]), "SIP over TCP: \(overTCP)")
    }
}
