import Foundation
import SIP
import Logging
import Testing
@testable import Simulator
@testable import Engine
@testable import EngineCore

/// Garbage, a truncated INVITE and an INVITE without a usable codec against a real engine: each
/// gets one clear log line and the right answer, and the engine keeps serving calls afterwards.
@Suite(.serialized) struct BadInputEndToEndTests {
    static let port = 25070

    @Test func badInputIsAnsweredAndTheEngineKeepsServing() async throws {
        var scenario = try ScenarioFile.load(E2E.scenario("quickstart.yaml"))
        scenario.engine.sip.port = Self.port
        scenario.engineYAML = scenario.engineYAML.replacingOccurrences(of: "20000-20999", with: "23000-23999")
        let dir = E2E.tempDirectory("badinput")
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: scenario.engineYAML, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: Self.port), logLevel: "info")
        defer { engine.stop() }
        let udp = RawUDP()
        // Wait until the engine answers OPTIONS.
        var up = false
        for _ in 0..<50 where !up {
            udp.send(Self.options(from: udp.port), toPort: Self.port)
            up = udp.receive()?.hasPrefix("SIP/2.0 200") == true
        }
        try #require(up, "engine did not start; log: \(dir)/engine.log")

        udp.send("\u{1}\u{2}this is not SIP at all\r\n", toPort: Self.port)
        #expect(udp.receive() == nil)  // nothing can be answered

        udp.send(Self.truncatedInvite(from: udp.port), toPort: Self.port)
        let r400 = udp.receive()
        #expect(r400?.hasPrefix("SIP/2.0 400") == true, "\(r400 ?? "no answer")")

        udp.send(Self.invite(from: udp.port, formats: "18 9", callID: "nocodec-1"), toPort: Self.port)
        var answers: [String] = []
        while let r = udp.receive() { answers.append(r) }
        #expect(answers.contains { $0.hasPrefix("SIP/2.0 488") }, "\(answers)")

        // Still serving: OPTIONS and a full call with media.
        udp.send(Self.options(from: udp.port), toPort: Self.port)
        #expect(udp.receive()?.hasPrefix("SIP/2.0 200") == true)
        var options = SimulationRun.Options(reportDirectory: dir + "/run")
        options.engine = Endpoint(host: "127.0.0.1", port: Self.port)
        options.recordsPath = dir + "/engine-state/calls.sqlite"
        options.quiet = true
        var one = scenario
        one.customerStreams[0].calls = 1
        let result = try await SimulationRun(scenario: one, options: options, logger: Logger(label: "test")).run()
        #expect(result.calls.first?.outcome == .answered)
        #expect(result.calls.first?.mediaVerified == true)

        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("not a SIP message"))
        #expect(log.contains("truncated") && log.contains("answered 400"))
        #expect(log.contains("no usable audio codec"))
        // The refused INVITE left no call behind: the only record is the real call.
        let rows = try CallRecordStore(directory: dir + "/engine-state").all()
        #expect(rows.map(\.disposition) == ["answered"])
    }

    static func options(from port: Int, to engine: Int = BadInputEndToEndTests.port) -> String {
        "OPTIONS sip:127.0.0.1:\(engine) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(port);branch=z9hG4bK\(UInt32.random(in: 0...UInt32.max));rport\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: opt-\(UInt32.random(in: 0...UInt32.max))\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    }

    static func invite(from port: Int, formats: String, callID: String) -> String {
        let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP \(formats)\r\n"
        return "INVITE sip:support@127.0.0.1:\(Self.port) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(port);branch=z9hG4bK-\(callID);rport\r\nFrom: <sip:carol@127.0.0.1:\(port)>;tag=c1\r\nTo: <sip:support@127.0.0.1>\r\nCall-ID: \(callID)\r\nCSeq: 1 INVITE\r\nContact: <sip:carol@127.0.0.1:\(port)>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n\(sdp)"
    }

    static func truncatedInvite(from port: Int) -> String {
        let full = invite(from: port, formats: "0", callID: "trunc-1")
        return String(full.prefix(full.count - 30))
    }
}
