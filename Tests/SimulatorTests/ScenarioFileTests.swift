import Foundation
import Testing
import YAMLConfig
@testable import Simulator
import CallCenter

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
        let names = try FileManager.default.contentsOfDirectory(atPath: E2E.root + "/Scenarios")
            .filter { $0.hasSuffix(".yaml") && $0 != "engine.yaml" }
        #expect(names.count >= 15)
        for name in names {
            #expect(throws: Never.self, "\(name)") { _ = try ScenarioFile.load(E2E.scenario(name)) }
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
        #expect(e?.problem.contains("no queue named 'sales'") == true)
        #expect(e?.fix?.contains("support") == true)
    }

    @Test func unknownAgentIsRefused() {
        let e = error(Self.engine + "\nagents:\n  - logins: [alice, zed]\n")
        #expect(e?.problem.contains("no engine agent named 'zed'") == true)
        #expect(e?.line == 7)
    }

    /// Every expectation that takes a name refuses a misspelt one, at the name's own line, with
    /// the closest real name (a misspelt `never_rung` agent would otherwise pass while zoe rings).
    static let twoAgents = """
        engine:
          queues:
            - name: support
            - name: billing_two
          agents:
            - {login: zoe, password: pw}
            - {login: alice, password: pw}
        agents:
          - logins: [zoe, alice]
        """

    @Test(arguments: [
        ("never_rung:\n    - alice\n    - zoee", 13, "no agent named 'zoee'", "did you mean 'zoe'?"),
        ("agent_rung:\n    alice: 1\n    zoee: 0", 13, "no agent named 'zoee'", "did you mean 'zoe'?"),
        ("agent_answered:\n    zoee: 2", 12, "no agent named 'zoee'", "did you mean 'zoe'?"),
        ("fairness:\n    agents:\n      - zoe\n      - alise\n    max_ratio: 2", 14, "no agent named 'alise'", "did you mean 'alice'?"),
        ("final_queue: billing", 11, "no queue named 'billing'", "did you mean 'billing_two'?"),
    ])
    func misspeltNamesInExpectationsAreRefusedAtTheirLine(_ yaml: String, line: Int, problem: String, hint: String) {
        let e = error(Self.twoAgents + "\nexpect:\n  " + yaml + "\n")
        #expect(e?.line == line, "\(String(describing: e))")
        #expect(e?.problem.contains(problem) == true, "\(String(describing: e))")
        #expect(e?.fix?.contains(hint) == true, "\(String(describing: e))")
    }

    @Test func correctNamesInExpectationsAreAccepted() throws {
        let s = try load(Self.twoAgents + "\nexpect:\n  never_rung: [zoe]\n  agent_rung: {alice: 1}\n  final_queue: support\n")
        #expect(s.expectations.map(\.kind.key) == ["never_rung", "agent_rung", "final_queue"])
    }

    @Test func impossibleExpectationIsRefused() {
        let e = error(Self.engine + "\nexpect:\n  service_level: {within: 20s, at_least: 1.5}\n")
        #expect(e?.problem.contains("between 0 and 1") == true)
    }

    @Test func errorTextIsFileLineProblemFix() {
        let e = error(Self.engine + "\ncustomers:\n  - queue: sales\n    calls: 2\n")
        #expect(e?.description.hasSuffix("s.yaml:7: customers[0].queue: no queue named 'sales' (fix: did you mean 'support'? known queues: support)") == true)
    }

    // MARK: agent groups by count, logout, arrival profiles and bursts, fairness

    @Test func agentGroupByCountGeneratesEngineAgentsWithSkills() throws {
        let s = try load(Self.engine + """

            agents:
              - count: 3
                login_prefix: sup
                skills: [english]
                logout_at: 30s
              - logins: [alice]
            """)
        #expect(s.agentGroups[0].logins == ["sup1", "sup2", "sup3"])
        #expect(s.agentGroups[0].logoutAt == 30)
        #expect(Set(s.engine.agents.map(\.login)) == ["alice", "sup1", "sup2", "sup3"])
        #expect(s.engine.routing.agents.first { $0.login == "sup2" }?.skills.contains(Skill("english")) == true)
        #expect(s.agentPasswords["sup3"] == "sup3-secret")
        #expect(s.engineYAML.contains("sup3"))  // the spawned engine knows them too
    }

    @Test func skillsWithoutCountAndLogoutBeforeLoginAreRefused() {
        let skills = error(Self.engine + "\nagents:\n  - logins: [alice]\n    skills: [english]\n")
        #expect(skills?.line == 8)
        #expect(skills?.fix?.contains("engine configuration") == true)
        let logout = error(Self.engine + "\nagents:\n  - logins: [alice]\n    login_at: 10s\n    logout_at: 5s\n")
        #expect(logout?.line == 9)
        #expect(logout?.problem.contains("after login_at") == true)
    }

    @Test func rateProfileAndBurstsAreRead() throws {
        let s = try load(Self.engine + """

            customers:
              - queue: support
                arrival: {profile: [{at: 0s, per_hour: 360}, {at: 60s, per_hour: 3600}, {at: 120s, per_hour: 0}]}
              - queue: support
                calls: 50
                arrival: {profile: {interval: 15m, per_hour: [120, 240]}}
              - queue: support
                calls: 50
                arrival: {poisson: 0.5, bursts: [{at: 10s, calls: 20, within: 4s}]}
            """)
        #expect(s.customerStreams[0].calls == nil)
        #expect(s.customerStreams[0].arrival == .profile(RateProfile([.init(start: 0, rate: 0.1), .init(start: 60, rate: 1), .init(start: 120, rate: 0)])))
        #expect(s.customerStreams[1].arrival == .profile(RateProfile(perHour: [120, 240], interval: 900)))
        #expect(s.customerStreams[2].arrival == .profile(RateProfile([.init(start: 0, rate: 0.5), .init(start: 10, rate: 5.5), .init(start: 14, rate: 0.5)])))
    }

    @Test func arrivalMistakesAreNamed() {
        let both = error(Self.engine + "\ncustomers:\n  - queue: support\n    calls: 2\n    arrival: {every: 1s, poisson: 2}\n")
        #expect(both?.line == 9)
        #expect(both?.problem.contains("both") == true)
        let open = error(Self.engine + "\ncustomers:\n  - queue: support\n    arrival: {every: 1s}\n")
        #expect(open?.line == 7)
        #expect(open?.fix?.contains("calls: N") == true)
        let order = error(Self.engine + "\ncustomers:\n  - queue: support\n    arrival: {profile: [{at: 60s, per_hour: 1}, {at: 0s, per_hour: 2}]}\n")
        #expect(order?.problem.contains("time order") == true)
    }

    @Test func fairnessNeedsABound() throws {
        let e = error(Self.engine + "\nexpect:\n  fairness: {agents: [alice]}\n")
        #expect(e?.line == 7)
        let s = try load(Self.engine + "\nexpect:\n  fairness: {max_ratio: 1.5, min_answered: 1}\n")
        #expect(s.expectations.first?.kind == .fairness(agents: nil, minAnswered: 1, maxAnswered: nil, maxRatio: 1.5))
    }

    @Test func wrapUpNeedsTheEngineWrapUpAndWarmUpMustEndInTime() throws {
        let wrap = error(Self.engine + "\nagents:\n  - logins: [alice]\n    wrap_up: 5s\n")
        #expect(wrap?.line == 7)
        #expect(wrap?.fix?.contains("routing.wrap_up") == true)
        let warm = error(Self.engine + "\nduration: 30s\nwarm_up: 40s\n")
        #expect(warm?.line == 7)
        let s = try load(Self.engine.replacingOccurrences(of: "engine:\n", with: "engine:\n  routing: {wrap_up: 30s}\n")
                         + "\nwarm_up: 10s\nagents:\n  - logins: [alice]\n    wrap_up: {exponential: 5s}\n")
        #expect(s.warmUp == 10)
        #expect(s.agentGroups[0].wrapUp == .exponential(mean: 5))
    }

    @Test func dtmfDigitsAreChecked() throws {
        let bad = error(Self.engine + "\ncustomers:\n  - queue: support\n    calls: 1\n    dtmf: \"12x\"\n")
        #expect(bad?.line == 9)
        #expect(bad?.problem.contains("0-9, *, # and A-D") == true)
        let s = try load(Self.engine + "\ncustomers:\n  - queue: support\n    calls: 1\n    dtmf: {digits: \"9*#\", after: 2s}\n")
        #expect(s.customerStreams[0].dtmf == DTMF(digits: "9*#", after: 2, gap: 0.2))
        // Steps through menus: each step's first key after the previous step's last.
        let steps = try load(Self.engine + "\ncustomers:\n  - queue: support\n    calls: 1\n    dtmf: [{digits: \"2\", after: 1s}, {digits: \"14\", after: 3s, gap: 500ms}]\n")
        let dtmf = try #require(steps.customerStreams[0].dtmf)
        #expect(dtmf.digits == "214" && dtmf.keys.map(\.wait) == [1, 3, 0.5] && dtmf.keys.map(\.digit) == ["2", "1", "4"])
        let badStep = error(Self.engine + "\ncustomers:\n  - queue: support\n    calls: 1\n    dtmf: [{digits: \"2\"}, {digits: \"z\"}]\n")
        #expect(badStep?.line == 9 && badStep?.problem.contains("0-9, *, # and A-D") == true, "\(String(describing: badStep))")
    }
}
