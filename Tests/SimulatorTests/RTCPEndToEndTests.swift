import Foundation
import Logging
import Testing
@testable import Engine
import SIP
@testable import Simulator

/// RTCP end to end (RFC 3550 §6, §11): ccsim's phones (libortp, a report a second) send RTCP
/// through ccengine's relay on the ports above RTP; each phone receives the other's reports
/// (its own count), the capture shows them crossing the relay both ways, and the call's record
/// carries what each phone reported: loss, jitter and the round trip between relay and phone.
@Suite(.serialized) struct RTCPEndToEndTests {
    @Test func phonesReportsCrossTheRelayAndLandInTheRecord() async throws {
        let port = RawUDP().port
        let rtp = 28000...28099
        let dir = E2E.tempDirectory("rtcp")
        let path = dir + "/scenario.yaml"
        try """
            name: rtcp
            duration: 30s
            engine:
              sip: {address: 127.0.0.1:\(port)}
              media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound)}
              routing: {ring_timeout: 10s, wrap_up: 0s}
              queues: [{name: support}]
              agents: [{login: alice, password: alice-secret}, {login: bob, password: bob-secret}]
            agents:
              - {logins: [alice, bob], answer_delay: 0.2s}
            customers:
              - {queue: support, calls: 2, arrival: {every: 0.5s}, hold_time: 4s}
            expect:
              all_answered: true
              media_verified: true
            """.write(toFile: path, atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engineBinary = E2E.engineBinary
        options.pcapPath = dir + "/call.pcap"
        options.quiet = true
        let result = try await SimulationRun(scenario: try ScenarioFile.load(path), options: options, logger: Logger(label: "test")).run()
        #expect(result.calls.count == 2)
        for call in result.calls {
            #expect(call.outcome == .answered && call.mediaVerified, "\(call)")
            #expect((call.customerHeard?.rtcpReceived ?? 0) >= 1, "the caller got no RTCP from the agent: \(String(describing: call.customerHeard))")
            #expect((call.agentHeard?.rtcpReceived ?? 0) >= 1, "the agent got no RTCP from the caller: \(String(describing: call.agentHeard))")
        }

        // On the wire: RTCP into and out of the relay's RTCP ports (odd, above each RTP port).
        let tshark = try #require(E2E.which("tshark"), "tshark is not installed: run `make test`")
        let (status, out) = try E2E.run(tshark, ["-r", dir + "/call.pcap", "-Y", "rtcp", "-T", "fields", "-E", "separator=|",
                                                 "-e", "udp.srcport", "-e", "udp.dstport", "-e", "rtcp.pt"])
        try #require(status == 0, "tshark failed: \(out)")
        let flows = out.split(separator: "\n").compactMap { line -> (Int, Int)? in
            let f = line.split(separator: "|")
            guard f.count >= 2, let s = Int(f[0]), let d = Int(f[1]) else { return nil }
            return (s, d)
        }
        let fromRelay = flows.filter { rtp.contains($0.0) && $0.0 % 2 == 1 }, toRelay = flows.filter { rtp.contains($0.1) && $0.1 % 2 == 1 }
        #expect(Set(fromRelay.map(\.0)).count >= 4, "RTCP left only relay ports \(Set(fromRelay.map(\.0)))")
        #expect(Set(toRelay.map(\.1)).count >= 4, "RTCP reached only relay ports \(Set(toRelay.map(\.1)))")

        // In the record: both legs of every call, as the phones reported them.
        let store = try CallRecordStore(directory: dir + "/report/engine-state")
        for call in result.calls {
            let legs = try store.quality(of: call.callID)
            #expect(legs.map(\.leg) == ["agent", "caller"], "\(call.callID): \(legs)")
            for leg in legs {
                #expect(leg.reports >= 1 && leg.packetsLost != nil && leg.fractionLost != nil && leg.jitterMs != nil, "\(leg)")
                #expect((leg.packetsLost ?? -1) >= 0 && (leg.jitterMs ?? -1) >= 0)
            }
            #expect(legs.contains { $0.rttMs != nil }, "no round trip measured on either leg: \(legs)")
        }

        // And through the API: an engine started on the same state folder lists them per record.
        let again = RawUDP().port
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: OperationsAPITests.config(port: again, rtp: "28100-28199"),
                                       directory: dir + "/report", sip: Endpoint(host: "127.0.0.1", port: again), logLevel: "info")
        defer { engine.stop() }
        guard FloodEndToEndTests.answersOptions(RawUDP(), port: again, tries: 50), let apiPort = HTTPTestClient.apiPort(log: engine.logPath) else {
            Issue.record("the engine or its API did not start; see \(engine.logPath)")
            return
        }
        let api = HTTPTestClient(base: "http://127.0.0.1:\(apiPort)", token: OperationsAPITests.tokens["sup"])
        let items = api("GET", "/v1/records").object["items"] as? [[String: Any]] ?? []
        #expect(items.count == 2)
        for item in items {
            let rtcp = item["rtcp"] as? [String: Any]
            let caller = rtcp?["caller"] as? [String: Any], agent = rtcp?["agent"] as? [String: Any]
            #expect((caller?["reports"] as? Int ?? 0) >= 1 && caller?["jitter_ms"] != nil && caller?["packets_lost"] != nil, "\(item)")
            #expect((agent?["reports"] as? Int ?? 0) >= 1 && agent?["jitter_ms"] != nil, "\(item)")
        }
    }
}
