import Foundation
import Testing
@testable import Simulator

/// `ccsim plan` with several targets: the answer meets all of them, the output names the model
/// and the load it assumed, and the curve is written as JSON and CSV.
struct PlanCommandTests {
    @Test func serviceLevelAndAbandonmentTogetherWithPatience() throws {
        let out = E2E.tempDirectory("plan") + "/curve"
        let (status, output) = try E2E.run(VerdictModesTests.ccsimBinary, [
            "plan", E2E.scenario("plan-patience.yaml"), "--target", "sl(20s) >= 0.8", "--target", "abandon <= 3%",
            "--range", "5-30", "--output", out + ".json",
        ], timeout: 300)
        #expect(status == 0, "\(output)")
        #expect(output.contains("targets: sl(20s) >= 0.8, abandon <= 0.03 (all must hold)"), "\(output)")
        #expect(output.contains("model: Erlang A (M/M/N+M): 200.0 calls/h × handle time 190.0 s (talk 180.0 + ringing 0.0 + wrap-up 10.0) = offered load 10.56 Erlangs; mean patience 60.0 s"), "\(output)")

        struct Entry: Decodable {
            struct Plan: Decodable {
                struct CI: Decodable { var estimate: Double }
                struct Point: Decodable { var agents: Int; var metrics: [CI]; var meetsTarget: Bool }
                var agents: Int?
                var tried: [Point]
            }
            var plan: Plan
            var model: String?
        }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: URL(fileURLWithPath: out + ".json")))
        let plan = try #require(entries.first?.plan)
        #expect(entries.first?.model == "Erlang A")
        let n = try #require(plan.agents)
        let answer = try #require(plan.tried.first { $0.agents == n })
        #expect(answer.metrics[0].estimate >= 0.8 && answer.metrics[1].estimate <= 0.03, "\(n) agents must meet both targets")
        // One agent fewer misses at least one: SL alone would have been met with fewer agents.
        let below = try #require(plan.tried.first { $0.agents == n - 1 })
        #expect(!below.meetsTarget)
        #expect(below.metrics[0].estimate >= 0.8, "the binding target here is abandonment, so planning SL alone would under-staff")
        #expect(output.contains("smallest staffing meeting every target: \(n) agents"))

        let csv = try String(contentsOfFile: out + ".csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first?.hasPrefix("group,agents,meets_all_targets,sl_threshold_s,sl,sl_lower,sl_upper,asa_s") == true)
        #expect(csv.count == plan.tried.count + 1)
    }

    @Test func aTargetIsRequiredAndBadOnesAreNamed() throws {
        let (status, output) = try E2E.run(VerdictModesTests.ccsimBinary, ["plan", E2E.scenario("plan-patience.yaml"), "--target", "abandon < 3%"])
        #expect(status == 2)
        #expect(output.contains("bad staffing target 'abandon < 3%'"), "\(output)")
    }
}
