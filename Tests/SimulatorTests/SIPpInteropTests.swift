import Foundation
import Logging
import Testing
@testable import Simulator
@testable import Engine
@testable import EngineCore

/// SIPp's built-in `uac` scenario against the queue while ccsim's virtual agents are registered.
@Suite(.serialized) struct SIPpInteropTests {
    /// 20 calls at 5/s (issue 2), 200 calls at 20/s with 0 unexpected messages, and 100 calls with
    /// 5% of SIPp's messages dropped (`-lost 5`) completing through retransmissions (issue 4).
    /// The agents are ccsim's virtual agents, registered with digest authentication.
    @Test func sippUacCompletesAllCalls() async throws {
        guard let sipp = E2E.which("sipp") else {
            Issue.record("sipp is not installed: run `make test`, which installs sip-tester")
            return
        }
        let port = 25080
        var scenario = try ScenarioFile.load(E2E.scenario("agents-only.yaml"))
        scenario.maxDuration = 75
        let dir = E2E.tempDirectory("sipp")
        var options = SimulationRun.Options(reportDirectory: dir)
        options.engineBinary = E2E.engineBinary
        options.sipPortOverride = port
        options.quiet = true
        let run = Task { try await SimulationRun(scenario: scenario, options: options, logger: Logger(label: "test")).run() }
        try await Task.sleep(for: .seconds(3))  // engine up, agents registered
        let (status, out) = try E2E.run(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(port)", "-m", "20", "-r", "5",
                                                "-nostdin", "-timeout", "30s", "-p", "25090"], timeout: 40, cwd: dir)
        #expect(status == 0, "sipp output:\n\(out.suffix(2000))")
        let load = try E2E.run(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(port)", "-m", "200", "-r", "20",
                                      "-nostdin", "-timeout", "40s", "-p", "25091"], timeout: 50, cwd: dir)
        #expect(load.status == 0, "sipp output:\n\(load.output.suffix(2000))")
        #expect(Self.unexpectedMessages(load.output) == 0)
        let lossy = try E2E.run(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(port)", "-m", "100", "-r", "20", "-lost", "5",
                                       "-nostdin", "-timeout", "50s", "-p", "25092"], timeout: 60, cwd: dir)
        #expect(lossy.status == 0, "sipp -lost 5 output:\n\(lossy.output.suffix(2000))")
        let result = try await run.value
        let answered = result.records?.filter { $0.disposition == "answered" }.count
        #expect(answered == 320)
    }

    /// The Unexpected-Msg column of SIPp's final screen, summed.
    static func unexpectedMessages(_ screen: String) -> Int {
        guard let range = screen.range(of: "Unexpected-Msg", options: .backwards) else { return -1 }
        var total = 0
        for line in screen[range.upperBound...].split(separator: "\n").prefix(12) where line.contains("<----------") {
            let cols = line.split(separator: " ", omittingEmptySubsequences: true)
            if let last = cols.last, let n = Int(last) { total += n }
        }
        return total
    }
}
