import Foundation
import Testing
@testable import Simulator

/// Figures per queue and per agent group, and the moves between queues, in the console,
/// report.json and report.html; an expectation on one queue can fail while the totals pass.
struct PerQueueFiguresTests {
    @Test func twoQueuesWithOverflowPerQueueFiguresAndAScopedExpectationThatFails() throws {
        let dir = E2E.tempDirectory("per-queue")
        let text = try String(contentsOfFile: E2E.scenario("two-queues-overflow.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "{at_most: 45s, queue: support}", with: "{at_most: 20s, queue: support}")
        try text.write(toFile: dir + "/two.yaml", atomically: true, encoding: .utf8)
        let s = try ScenarioFile.load(dir + "/two.yaml")
        let (_, result) = try VirtualRun.run(s)
        let verdict = Verdict(result: result)
        let byName = Dictionary(verdict.checks.map { (String($0.name.prefix { $0 != " " }), $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["asa"]?.status == .passed, "the total ASA holds")
        #expect(byName["asa[queue"]?.status == .failed, "support's ASA (36 s) misses 20 s")
        #expect(byName["asa[queue"]?.name.hasPrefix("asa[queue support] (") == true)
        #expect(byName["answered[group"]?.status == .passed)

        let b = RunBreakdown(result)
        #expect(b.queues["sales"]?.offered == 6 && b.queues["support"]?.offered == 3)
        #expect(b.moves == [RunBreakdown.Move(from: "sales", to: "support", calls: 5, answered: 5, abandoned: 0, unfinished: 0)])
        #expect(b.groups["sellers"]?.answered == 1 && b.groups["helpers"]?.answered == 8)

        let console = SummaryPrinter.text(result, verdict: verdict)
        #expect(console.contains("    sales: 6 offered, 6 answered"), "\(console)")
        #expect(console.contains("    support: 3 offered, 3 answered"))
        #expect(console.contains("sales -> support 5 (5 answered, 0 abandoned)"))
        #expect(console.contains("helpers (2 agents): 8 answered"))

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try ReportWriter.write(result, verdict: verdict, to: dir)))) as? [String: Any]
        let breakdown = try #require(json?["breakdown"] as? [String: Any])
        let queues = try #require(breakdown["queues"] as? [String: [String: Any]])
        #expect(queues["support"]?["offered"] as? Int == 3)
        #expect((breakdown["moves"] as? [[String: Any]])?.first?["to"] as? String == "support")

        let html = try String(contentsOfFile: try HTMLReportWriter.write(result, verdict: verdict, to: dir, agentStates: nil), encoding: .utf8)
        #expect(html.contains("Per queue and agent group"))
        #expect(html.contains("<td>support</td>") && html.contains("<td>sales</td>") && html.contains("<td>helpers</td>"))
    }

    @Test func groupScopeIsRefusedWhereItMeansNothing() throws {
        let dir = E2E.tempDirectory("per-queue-bad")
        let text = try String(contentsOfFile: E2E.scenario("two-queues-overflow.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "max_wait: {at_most: 90s, queue: sales}", with: "abandon_rate: {at_most: 0.1, group: helpers}")
        try text.write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        #expect { try ScenarioFile.load(dir + "/bad.yaml") } throws: { e in
            "\(e)".contains("abandon_rate is a figure of the calls a queue received, not of a group")
        }
    }
}

extension PerQueueFiguresTests {
    /// A scoped expectation over no calls would pass every figure (SL 1, ASA 0): it fails instead.
    @Test func aScopeWithNoCallsFailsInsteadOfPassing() throws {
        let dir = E2E.tempDirectory("per-queue-empty")
        let text = try String(contentsOfFile: E2E.scenario("two-queues-overflow.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "- queue: support\n    calls: 3", with: "- queue: sales\n    calls: 3")
            .replacingOccurrences(of: "{at_most: 45s, queue: support}", with: "{at_most: 45s, queue: support}, {at_most: 1s, group: sellers}")
        try text.write(toFile: dir + "/empty.yaml", atomically: true, encoding: .utf8)
        let (_, result) = try VirtualRun.run(try ScenarioFile.load(dir + "/empty.yaml"))
        let check = try #require(Verdict(result: result).checks.first { $0.name.hasPrefix("asa[queue support]") })
        #expect(check.status == .failed && check.detail.hasPrefix("no counted calls in queue support"), "\(check)")
    }
}
