import Foundation
import Logging
import Testing
@testable import Simulator

/// The short scenarios in Scenarios/, each a real engine plus virtual phones over loopback; each
/// must meet its own expectations. Every file uses its own SIP port and RTP range.
@Suite(.serialized) struct ScenarioSuiteTests {
    static let scenarios = [
        "openacd-released-agent.yaml", "openacd-skills.yaml", "openacd-reject.yaml",
        "openacd-recipe-available.yaml", "openacd-ticks.yaml", "openacd-new-queue.yaml",
        "skills-two-groups.yaml", "abandonment.yaml", "breaks.yaml", "day-profile.yaml", "two-queues-overflow.yaml", "queue-media.yaml",
    ]

    @Test(arguments: scenarios)
    func scenarioMeetsItsExpectations(_ file: String) async throws {
        let scenario = try ScenarioFile.load(E2E.scenario(file))
        var options = SimulationRun.Options(reportDirectory: E2E.tempDirectory(file))
        options.engineBinary = E2E.engineBinary
        options.quiet = true
        let result = try await SimulationRun(scenario: scenario, options: options, logger: Logger(label: "test")).run()
        let verdict = Verdict(result: result)
        #expect(!verdict.checks.isEmpty)
        for c in verdict.checks where c.failed { Issue.record("\(file): \(c.name): \(c.detail)") }
    }
}
