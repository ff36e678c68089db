import Capture
import Foundation
import Logging
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// RFC 3264 end to end: callers that offer PCMA only get a PCMA answer and two-way PCMA audio
/// through the relay, whether the caller is ccsim or SIPp's `uac_pcap`, with ccsim's agents
/// answering from the engine's offer. Shown by the phones' own checks (tone by Goertzel, every
/// packet in the agreed codec) and by a capture read with tshark.
@Suite(.serialized) struct CodecInteropTests {
    static func scenario(port: Int, rtp: ClosedRange<Int>, customers: String) -> String {
        """
        name: pcma
        duration: 40s
        engine:
          sip: {address: 127.0.0.1:\(port)}
          media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound)}
          routing: {ring_timeout: 10s, wrap_up: 0s}
          queues: [{name: support}]
          agents: [{login: alice, password: alice-secret}, {login: bob, password: bob-secret}]
        agents:
          - {logins: [alice, bob], answer_delay: 0.2s}
        \(customers)
        """
    }

    /// Every RTP stream in the capture: (source port, destination port, payload type name).
    static func streams(_ pcap: String, rtp: ClosedRange<Int>) throws -> [(Int, Int, String)] {
        let tshark = try #require(E2E.which("tshark"), "tshark is not installed: run `make test`")
        let (status, out) = try E2E.run(tshark, ["-r", pcap, "--enable-heuristic", "rtp_udp", "-Y", "rtp", "-T", "fields",
                                                 "-E", "separator=|", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "rtp.p_type"])
        try #require(status == 0, "tshark failed: \(out)")
        var seen = Set<String>()
        return out.split(separator: "\n").compactMap { line -> (Int, Int, String)? in
            guard seen.insert(String(line)).inserted else { return nil }
            let f = line.split(separator: "|").map(String.init)
            guard f.count == 3, let s = Int(f[0]), let d = Int(f[1]) else { return nil }
            return (s, d, f[2])
        }
    }

    @Test func ccsimCallerOfferingPCMAOnlyGetsPCMABothWays() async throws {
        let port = RawUDP().port
        let rtp = 27400...27499
        let dir = E2E.tempDirectory("pcma-ccsim")
        let path = dir + "/scenario.yaml"
        try Self.scenario(port: port, rtp: rtp, customers: """
            customers:
              - {queue: support, calls: 2, arrival: {every: 0.5s}, hold_time: 2s, codecs: [PCMA]}
            expect:
              all_answered: true
              media_verified: true
            """).write(toFile: path, atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engineBinary = E2E.engineBinary
        options.pcapPath = dir + "/call.pcap"
        options.quiet = true
        let result = try await SimulationRun(scenario: try ScenarioFile.load(path), options: options, logger: Logger(label: "test")).run()
        #expect(result.calls.count == 2)
        for call in result.calls {
            #expect(call.outcome == .answered)
            #expect(call.answerMismatch == nil, "\(call.answerMismatch ?? "")")
            #expect(call.customerHeard?.codec == "PCMA" && call.agentHeard?.codec == "PCMA")
            #expect(call.customerHeard?.otherCodecPackets == 0 && call.agentHeard?.otherCodecPackets == 0)
            #expect(call.mediaVerified, "\(call)")
        }
        // On the wire: every RTP stream into and out of the relay is PCMA (payload type 8), both ways.
        let streams = try Self.streams(dir + "/call.pcap", rtp: rtp)
        let relayed = streams.filter { rtp.contains($0.0) || rtp.contains($0.1) }
        #expect(relayed.filter { rtp.contains($0.0) }.count >= 4 && relayed.filter { rtp.contains($0.1) }.count >= 4, "\(streams)")
        #expect(Set(relayed.map(\.2)) == ["8"], "\(relayed)")
    }

    @Test func sippUacPcapOfferingPCMAGetsPCMAAnswerAndAudioBothWays() async throws {
        guard let sipp = E2E.which("sipp") else {
            Issue.record("sipp is not installed: run `make test`, which installs sip-tester")
            return
        }
        let port = RawUDP().port
        let rtp = 27500...27599
        let dir = E2E.tempDirectory("pcma-sipp")
        try FileManager.default.createSymbolicLink(atPath: dir + "/pcap", withDestinationPath: "/usr/share/sip-tester")
        let path = dir + "/scenario.yaml"
        try Self.scenario(port: port, rtp: rtp, customers: "").write(toFile: path, atomically: true, encoding: .utf8)
        let capture = try PacketCapture(path: dir + "/call.pcap", interface: "lo", filter: "udp")
        capture.start()
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engineBinary = E2E.engineBinary
        options.quiet = true
        let scenario = try ScenarioFile.load(path)
        let run = Task { try await SimulationRun(scenario: scenario, options: options, logger: Logger(label: "test")).run() }
        // SIPp calls once the engine's log shows both agents registered (bounded poll, 30 s).
        let engineLog = dir + "/report/engine.log"
        var registered = false
        for _ in 0..<300 where !registered {
            let log = (try? String(contentsOfFile: engineLog, encoding: .utf8)) ?? ""
            registered = log.contains("agent alice registered") && log.contains("agent bob registered")
            if !registered { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(registered, "the agents did not register; see \(engineLog)")
        let sippMedia = RawUDP().port / 2 * 2
        let (status, out) = try E2E.run(sipp, ["-sn", "uac_pcap", "-s", "support", "127.0.0.1:\(port)", "-i", "127.0.0.1", "-mi", "127.0.0.1",
                                               "-mp", String(sippMedia), "-p", String(RawUDP().port), "-m", "1", "-nostdin", "-timeout", "40s"],
                                        timeout: 50, cwd: dir)
        #expect(status == 0, "sipp uac_pcap:\n\(out.suffix(1500))")
        _ = try await run.value
        _ = capture.stop()
        let streams = try Self.streams(dir + "/call.pcap", rtp: rtp)
        // SIPp -> relay and relay -> SIPp, both PCMA (the answer carried PCMA, the agent sent PCMA).
        let toSipp = streams.filter { $0.1 == sippMedia && rtp.contains($0.0) }
        let fromSipp = streams.filter { $0.0 == sippMedia && rtp.contains($0.1) }
        #expect(!toSipp.isEmpty && !fromSipp.isEmpty, "\(streams)")
        #expect(Set(toSipp.map(\.2)).subtracting(["101"]) == ["8"], "\(toSipp)")
        #expect(Set(fromSipp.map(\.2)).subtracting(["101"]) == ["8"], "\(fromSipp)")
        // and the relay's agent side carried PCMA too, both ways
        let agentSide = streams.filter { (rtp.contains($0.0) || rtp.contains($0.1)) && $0.0 != sippMedia && $0.1 != sippMedia }
        #expect(!agentSide.isEmpty && Set(agentSide.map(\.2)).subtracting(["101"]) == ["8"], "\(agentSide)")
    }
}
