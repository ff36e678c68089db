import Foundation
import SIP
import Logging
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// A real agent phone (SIPp, registered with digest) that answers the engine's INVITE with 180,
/// then 183 with SDP and plays audio before its 200: the caller (a ccsim customer) gets the 183
/// and the agent's early media through the relay before the call is answered.
@Suite(.serialized) struct EarlyMediaInteropTests {
    @Test func agentEarlyMediaReachesTheCallerBeforeTheAnswer() async throws {
        guard let sipp = E2E.which("sipp"), let tshark = E2E.which("tshark") else {
            Issue.record("sipp or tshark is not installed: run `make test`, which installs sip-tester and tshark")
            return
        }
        let port = 25340, agentPort = 25341, relayPorts = 24600...24699
        let dir = E2E.tempDirectory("early-media")
        // SIPp answers only the first challenge and only with MD5.
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), digest_algorithms: [MD5, SHA-256]}
            media: {rtp_ports: \(relayPorts.lowerBound)-\(relayPorts.upperBound)}
            queues: [{name: support}]
            agents: [{login: alice, password: alice-secret}]
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        try Self.registerXML.write(toFile: dir + "/register.xml", atomically: true, encoding: .utf8)
        try Self.agentXML.write(toFile: dir + "/agent.xml", atomically: true, encoding: .utf8)

        // The agent phone waits for the engine's INVITE on agentPort; its media from port 24700.
        let phone = try E2E.background(sipp, ["-sf", "agent.xml", "-p", "\(agentPort)", "-i", "127.0.0.1", "-mi", "127.0.0.1", "-mp", "24700",
                                              "-m", "1", "-nostdin", "-timeout", "600s"], cwd: dir)  // stopped by PID below; a starved test pool may delay the call
        defer { E2E.stop(phone) }

        var registered = (status: Int32(-1), output: "")
        for _ in 0..<20 where registered.status != 0 {
            registered = try E2E.run(sipp, ["127.0.0.1:\(port)", "-sf", "register.xml", "-key", "agentport", "\(agentPort)",
                                            "-p", "25342", "-i", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "10s"], timeout: 15, cwd: dir)
            if registered.status != 0 { try await Task.sleep(for: .milliseconds(300)) }
        }
        #expect(registered.status == 0, "REGISTER with digest:\n\(registered.output.suffix(1500))")

        let result = try await E2E.oneCustomerCall(name: "early-media", port: port, rtpPorts: relayPorts, holdTime: "1s",
                                                   directory: dir, pcap: dir + "/call.pcap")
        #expect(result.calls.first?.outcome == .answered)

        // From the capture: the engine's 183 to the caller, then RTP from the relay's caller side,
        // all before the engine's 200 OK to the caller.
        let (status, out) = try E2E.run(tshark, ["-r", dir + "/call.pcap", "-o", "rtp.heuristic_rtp:TRUE", "-T", "fields",
                                                 "-e", "frame.time_relative", "-e", "udp.srcport", "-e", "sip.Status-Code",
                                                 "-e", "sip.CSeq.method", "-e", "rtp.p_type"])
        #expect(status == 0)
        let rows = out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        func time(_ r: [String]) -> Double { Double(r[0]) ?? 0 }
        let fromEngine = rows.filter { $0.count >= 4 && $0[1] == "\(port)" }
        let progress = fromEngine.first { $0[2] == "183" && $0[3] == "INVITE" }
        let answer = fromEngine.first { $0[2] == "200" && $0[3] == "INVITE" }
        #expect(progress != nil, "no 183 from the engine:\n\(out.prefix(3000))")
        #expect(answer != nil)
        guard let progress, let answer else { return }
        let earlyRTP = rows.filter { r in
            r.count >= 5 && !r[4].isEmpty && Int(r[1]).map(relayPorts.contains) == true && time(r) < time(answer)
        }
        #expect(earlyRTP.count >= 20, "early media packets relayed to the caller before the 200: \(earlyRTP.count)")
        // The relay forwards as soon as the agent's packets arrive, which can be a fraction of a
        // millisecond before the SIP loop has sent the 183; the stream as a whole follows it.
        #expect(earlyRTP.filter { time($0) > time(progress) }.count >= earlyRTP.count - 3)
        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("agent phone sent early media (183); relayed to the caller"))
    }

    static let registerXML = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="register alice (digest), Contact on the agent phone's port">
          <send retrans="500"><![CDATA[
        REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: <sip:alice@[remote_ip]:[remote_port]>;tag=reg[call_number]
        To: <sip:alice@[remote_ip]:[remote_port]>
        Call-ID: [call_id]
        CSeq: 1 REGISTER
        Contact: <sip:alice@[local_ip]:[agentport]>
        Expires: 3600
        Max-Forwards: 70
        Content-Length: 0

        ]]></send>
          <recv response="401" auth="true"/>
          <send retrans="500"><![CDATA[
        REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: <sip:alice@[remote_ip]:[remote_port]>;tag=reg[call_number]
        To: <sip:alice@[remote_ip]:[remote_port]>
        Call-ID: [call_id]
        CSeq: 2 REGISTER
        Contact: <sip:alice@[local_ip]:[agentport]>
        [authentication username=alice password=alice-secret]
        Expires: 3600
        Max-Forwards: 70
        Content-Length: 0

        ]]></send>
          <recv response="200"/>
        </scenario>
        """

    /// The agent phone's response headers (its dialog: one To-tag), and its SDP answer.
    static let responseHead = """
        [last_Via:]
        [last_From:]
        [last_To:];tag=agent[call_number]
        [last_Call-ID:]
        [last_CSeq:]
        Contact: <sip:alice@[local_ip]:[local_port]>
        """
    static let answerSDP = """
        Content-Type: application/sdp
        Content-Length: [len]

        v=0
        o=alice 1 1 IN IP[local_ip_type] [local_ip]
        s=-
        c=IN IP[media_ip_type] [media_ip]
        t=0 0
        m=audio [media_port] RTP/AVP 0
        a=rtpmap:0 PCMU/8000
        """

    static let agentXML = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="agent phone: 180, 183 with early media, then 200">
          <recv request="INVITE" crlf="true"/>
          <send><![CDATA[
        SIP/2.0 180 Ringing
        \(responseHead)
        Content-Length: 0

        ]]></send>
          <send><![CDATA[
        SIP/2.0 183 Session Progress
        \(responseHead)
        \(answerSDP)

        ]]></send>
          <nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/></action></nop>
          <pause milliseconds="2000"/>
          <send retrans="500"><![CDATA[
        SIP/2.0 200 OK
        \(responseHead)
        \(answerSDP)

        ]]></send>
          <recv request="ACK"/>
          <recv request="BYE"/>
          <send><![CDATA[
        SIP/2.0 200 OK
        [last_Via:]
        [last_From:]
        [last_To:]
        [last_Call-ID:]
        [last_CSeq:]
        Content-Length: 0

        ]]></send>
        </scenario>
        """
}
