import Testing

@testable import VirtualTime

@Suite struct StaffingPlannerTests {
    /// REFERENCE §3: SL(20 s) is 0.6402 with 12 agents and 0.7956 with 13, so 0.75 needs 13.
    /// 20,000 calls per level put the batch-means half-width near 0.03, well inside both gaps.
    @Test func findsThirteenAgentsForEightyPercentInTwentySeconds() throws {
        let scenario = VirtualScenario.singleQueue(
            arrivalRate: 200.0 / 3600, aht: 180, agents: 1, calls: 20_000, seed: 1)
        let target = try StaffingPlanner.Target.parse("sl(20s) >= 0.75")
        let plan = try StaffingPlanner().plan(scenario: scenario, group: 0, target: target, range: 1...40)
        #expect(plan.erlangEstimate == 13)
        #expect(plan.agents == 13)
        #expect(plan.confident)
        #expect(plan.curve.map(\.agents) == [11, 12, 13, 14, 15])
        #expect(plan.curve.map(\.meetsTarget) == [false, false, true, true, true])
        // The metric improves with every agent, and each point carries its Erlang C value.
        let values = plan.curve.map(\.metric.estimate)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 })
        #expect(plan.curve.allSatisfy { p in p.erlang[0].map { abs($0 - p.metric.estimate) < 0.05 } ?? false })
        // Only the neighbourhood was simulated.
        #expect(plan.tried.count == 5)
    }

    @Test func generatedLoginsReplaceTheGroup() {
        let scenario = VirtualScenario.singleQueue(arrivalRate: 0.01, aht: 60, agents: 3, calls: 10)
        let staffed = scenario.staffed(group: 0, agents: 5, loginPrefix: "p", skills: ["x"])
        #expect(staffed.agentGroups[0].logins == ["p1", "p2", "p3", "p4", "p5"])
        #expect(staffed.routing.agents.map(\.login) == ["p1", "p2", "p3", "p4", "p5"])
        #expect(staffed.routing.agents.allSatisfy { $0.skills == ["x"] })
    }

    @Test func plannerRefusesAnUnknownGroup() {
        let scenario = VirtualScenario.singleQueue(arrivalRate: 0.01, aht: 60, agents: 3, calls: 10)
        #expect(throws: VirtualScenarioError.unknownGroup(2, count: 1)) {
            try StaffingPlanner().plan(
                scenario: scenario, group: 2, target: .abandonRate(atMost: 0.1), range: 1...5)
        }
    }

    @Test(arguments: [
        ("sl(20s) >= 0.8", StaffingTarget.serviceLevel(seconds: 20, atLeast: 0.8, basis: .offered)),
        ("SL(20) >= 80%", .serviceLevel(seconds: 20, atLeast: 0.8, basis: .offered)),
        ("sl(1m, answered) >= 0.9", .serviceLevel(seconds: 60, atLeast: 0.9, basis: .answered)),
        ("asa <= 30s", .averageSpeedOfAnswer(atMost: 30)),
        ("asa<=500ms", .averageSpeedOfAnswer(atMost: 0.5)),
        ("abandon <= 5%", .abandonRate(atMost: 0.05)),
        ("abandon <= 0.05", .abandonRate(atMost: 0.05)),
    ])
    func parsesTargets(_ text: String, _ expected: StaffingTarget) throws {
        #expect(try StaffingTarget.parse(text) == expected)
    }

    @Test(arguments: [
        ("sl(20s) 0.8", "no comparison"),
        ("sl(20s) <= 0.8", "needs '>='"),
        ("sl 20s >= 0.8", "parentheses"),
        ("sl(soon) >= 0.8", "bad threshold 'soon'"),
        ("sl(20s, all) >= 0.8", "unknown service level basis 'all'"),
        ("sl(20s) >= 1.5", "bad service level '1.5'"),
        ("asa >= 30s", "need '<='"),
        ("occupancy <= 0.9", "unknown metric 'occupancy'"),
        ("abandon <=", "nothing after"),
    ])
    func badTargetsSayWhatIsWrong(_ text: String, _ fragment: String) {
        do {
            _ = try StaffingTarget.parse(text)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(error.description.contains("'\(text)'"))
        }
    }

    @Test func targetsPrintAsTheyParse() throws {
        for text in ["sl(20s) >= 0.8", "sl(20s, answered) >= 0.9", "asa <= 30s", "abandon <= 0.05"] {
            #expect(try StaffingTarget.parse(text).description == text)
        }
    }
}
