import Foundation
import Logging
import Testing
@testable import Simulator

/// The walking skeleton over real sockets: a real ccengine process, virtual phones with libortp
/// media, libpcap capture, SQLite records — and tshark reading the capture.
@Suite(.serialized) struct QuickstartEndToEndTests {
    @Test func quickstartAnswersEveryCallWithTwoWayMediaAndMatchingRecords() async throws {
        var scenario = try ScenarioFile.load(E2E.scenario("quickstart.yaml"))
        scenario.engine.sip.port = 25060
        scenario.engineYAML = scenario.engineYAML.replacingOccurrences(of: "20000-20999", with: "22000-22999")
        scenario.engine.rtpPorts = 22000...22999
        let dir = E2E.tempDirectory("quickstart")
        var options = SimulationRun.Options(reportDirectory: dir)
        options.engineBinary = E2E.engineBinary
        options.sipPortOverride = 25060
        options.pcapPath = dir + "/quickstart.pcap"
        options.quiet = true
        let result = try await SimulationRun(scenario: scenario, options: options, logger: Logger(label: "test")).run()
        let verdict = Verdict(result: result)
        for c in verdict.checks where c.failed { Issue.record("\(c.name): \(c.detail)") }
        #expect(result.calls.count == 4)
        #expect(result.calls.allSatisfy { $0.outcome == .answered && $0.mediaVerified })
        #expect(result.records?.count == 4)
        #expect(result.records?.allSatisfy { $0.disposition == "answered" } == true)

        // tshark sees both directions of both legs of every call (4 streams per call), none lost.
        guard let tshark = E2E.which("tshark") else {
            Issue.record("tshark is not installed: run `make test`, which installs it")
            return
        }
        let (status, out) = try E2E.run(tshark, ["-r", options.pcapPath!, "-q", "-z", "rtp,streams"])
        #expect(status == 0)
        // ccsim's packet count is the file's frame count (not libpcap's ps_recv, twice that on lo).
        let frames = try E2E.run(tshark, ["-r", options.pcapPath!, "-T", "fields", "-e", "frame.number"]).output
            .split(separator: "\n").filter { Int($0) != nil }.count  // stderr is merged in: count frame numbers only
        #expect(result.captureStats.map { Int($0.written) } == frames, "ccsim wrote \(String(describing: result.captureStats)), tshark read \(frames) frames")
        let rows = out.split(separator: "\n").filter { $0.contains("g711U") }
        #expect(rows.count == 16, "tshark rtp,streams:\n\(out)")
        for row in rows {
            let cols = row.split(separator: " ", omittingEmptySubsequences: true)
            // columns: start end src sport dst dport ssrc payload pkts lost(%) ...; the payload
            // column lists every type seen ("g711U, telephone-event" on the DTMF-sending side).
            let payloadEnd = (7..<cols.count).first { !cols[$0].hasSuffix(",") } ?? 7
            let packets = Int(cols[payloadEnd + 1]) ?? 0
            let lost = Int(cols[payloadEnd + 2]) ?? -1
            #expect(packets >= 50, "\(row)")
            if row.contains("telephone-event") {
                // oRTP sends each DTMF event's end packet three times with one sequence number
                // (RFC 4733 §2.5.1.4); tshark counts the repeats as duplicates, i.e. negative loss.
                #expect(lost <= 0 && lost >= -2 * 3, "\(row)")
            } else {
                #expect(lost == 0, "\(row)")
            }
        }
    }
}
