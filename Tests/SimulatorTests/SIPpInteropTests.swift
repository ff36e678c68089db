import Foundation
import Logging
import Testing
@testable import Simulator
@testable import Engine

/// SIPp's built-in `uac` scenario against the queue while ccsim's virtual agents are registered.
@Suite(.serialized) struct SIPpInteropTests {
    @Test func sippUacCompletesAllCalls() async throws {
        guard let sipp = E2E.which("sipp") else {
            Issue.record("sipp is not installed: run `make test`, which installs sip-tester")
            return
        }
        let port = 25080
        var scenario = try ScenarioFile.load(E2E.scenario("agents-only.yaml"))
        scenario.maxDuration = 14
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
        let result = try await run.value
        let answered = result.records?.filter { $0.disposition == "answered" }.count
        #expect(answered == 20)
    }
}
