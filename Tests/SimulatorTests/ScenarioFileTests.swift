import Foundation
import Testing
import YAMLConfig
@testable import Simulator

/// Every scenario error names the file, the line and the fix — never a stack trace.
struct ScenarioFileTests {
    static let engine = """
        engine:
          queues:
            - name: support
          agents:
            - {login: alice, password: pw}
        """

    func load(_ text: String) throws(ConfigError) -> Scenario {
        let path = E2E.tempDirectory("scenario") + "/s.yaml"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return try ScenarioFile.load(path)
    }

    func error(_ text: String) -> ConfigError? {
        do { _ = try load(text); return nil } catch { return error }
    }

    @Test func theShippedScenariosAreValid() throws {
        for name in ["quickstart.yaml", "agents-only.yaml"] {
            _ = try ScenarioFile.load(E2E.scenario(name))
        }
    }

    @Test func yamlSyntaxErrorHasTheLine() {
        let e = error(Self.engine + "\nagents:\n  - logins: [alice\n")
        #expect(e?.line != nil)
        #expect(e?.problem.contains("YAML syntax") == true)
    }

    @Test func unknownKeySuggestsTheRightOne() {
        let e = error(Self.engine + "\ncustomers:\n  - queue: support\n    calls: 2\n    hold_tim: 3s\n")
        #expect(e?.line == 9)
        #expect(e?.problem.contains("unknown key 'hold_tim'") == true)
        #expect(e?.fix?.contains("hold_time") == true)
    }

    @Test func wrongTypeIsNamed() {
        let e = error(Self.engine + "\ncustomers:\n  - queue: support\n    calls: many\n")
        #expect(e?.line == 8)
        #expect(e?.problem.contains("whole number") == true)
    }

    @Test func unknownDistributionIsRefused() {
        let e = error(Self.engine + "\ncustomers:\n  - queue: support\n    calls: 2\n    patience: {gaussian: 3s}\n")
        #expect(e?.problem.contains("unknown key 'gaussian'") == true)
        #expect(e?.line == 9)
    }

    @Test func unknownQueueListsTheKnownOnes() {
        let e = error(Self.engine + "\ncustomers:\n  - queue: sales\n    calls: 2\n")
        #expect(e?.line == 7)
        #expect(e?.problem.contains("queue 'sales' does not exist") == true)
        #expect(e?.fix?.contains("support") == true)
    }

    @Test func unknownAgentIsRefused() {
        let e = error(Self.engine + "\nagents:\n  - logins: [alice, zed]\n")
        #expect(e?.problem.contains("agent 'zed'") == true)
        #expect(e?.line == 7)
    }

    @Test func impossibleExpectationIsRefused() {
        let e = error(Self.engine + "\nexpect:\n  service_level: {within: 20s, at_least: 1.5}\n")
        #expect(e?.problem.contains("between 0 and 1") == true)
    }

    @Test func errorTextIsFileLineProblemFix() {
        let e = error(Self.engine + "\ncustomers:\n  - queue: sales\n    calls: 2\n")
        #expect(e?.description.hasSuffix("s.yaml:7: customers[0].queue: queue 'sales' does not exist in the engine configuration (fix: use one of: support)") == true)
    }
}
