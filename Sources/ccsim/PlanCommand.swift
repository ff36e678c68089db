import ArgumentParser
import Foundation
import Simulator
import VirtualTime

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the smallest staffing that meets every target, in virtual time.",
        discussion: """
            Targets (give --target several times; all must hold): "sl(20s) >= 0.8" (answered within
            20 s / offered), "sl(20s, answered) >= 80%", "asa <= 30s", "abandon <= 5%".
            Prints the closed-form model and the load it assumed, then each staffing level around the
            answer with SL, ASA, abandonment and occupancy and their 95% confidence intervals.
            With several agent groups and no --group, each group is planned in turn (the others as
            planned so far, then as in the scenario).
            """)
    @Argument(help: "Scenario file (YAML).") var scenario: String
    @Option(name: .customLong("target"), help: "A target to meet (repeatable; all must hold).") var targets: [String] = []
    @Option(help: "Which agent group to staff (0-based, in the scenario's order); default: every group in turn.") var group: Int?
    @Option(help: "Smallest and largest staffing to consider, LOW-HIGH.") var range = "1-500"
    @Option(help: "Calls per simulated staffing level (default: the scenario's).") var calls: Int?
    @Option(help: "Write the curve to FILE.json and FILE.csv (a .json or .csv suffix is replaced).") var output: String?

    func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("ccsim: \(message)\n".utf8))
        return ExitCode(2)
    }

    func run() throws {
        let s: Scenario
        do { s = try ScenarioFile.load(scenario) } catch { throw fail("\(error)") }
        let parts = range.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1] else { throw fail("--range '\(range)' is not LOW-HIGH") }
        guard !targets.isEmpty else { throw fail("give at least one --target, e.g. --target 'sl(20s) >= 0.8' --target 'abandon <= 5%'") }
        if let group, !(0..<s.agentGroups.count).contains(group) {
            throw fail("--group \(group): the scenario has \(s.agentGroups.count) agent groups (0-based)")
        }
        var parsed: [StaffingTarget] = []
        for t in targets {
            do { parsed.append(try StaffingTarget.parse(t)) } catch { throw fail("\(error)") }
        }
        let groups = group.map { [$0] } ?? Array(s.agentGroups.indices)
        var current = VirtualRun.scenario(from: s)
        current.endsAtDuration = false  // planning runs to steady state: every call ends, none is cut at the duration
        var plans: [(group: Int, result: StaffingPlanner.PlanResult)] = []
        print("targets: \(parsed.map(\.description).joined(separator: ", "))\(parsed.count > 1 ? " (all must hold)" : "")")
        for g in groups {
            let planner = StaffingPlanner(calls: calls, loginPrefix: "plan-g\(g + 1)-")
            let plan = try planner.plan(scenario: current, group: g, targets: parsed, range: parts[0]...parts[1])
            plans.append((g, plan))
            if groups.count > 1 { print("\n== agent group \(g) (\(s.agentGroups[g].logins.count) agents in the scenario)") }
            Self.printPlan(plan)
            if let n = plan.agents { current = current.staffed(group: g, agents: n, loginPrefix: "plan-g\(g + 1)-") }
        }
        if groups.count > 1 {
            print("\nstaffing per group: " + plans.map { "group \($0.group): \($0.result.agents.map(String.init) ?? "none in \(range)")" }.joined(separator: ", "))
        }
        if let output { try Self.write(plans, to: output) }
        if plans.contains(where: { $0.result.agents == nil }) { throw ExitCode(1) }
    }

    static func printPlan(_ plan: StaffingPlanner.PlanResult) {
        if let m = plan.closedForm {
            var line = "model: \(m.model) (\(m.model == "Erlang C" ? "M/M/N" : "M/M/N+M")): \(f(m.arrivalRate * 3600, 1)) calls/h × handle time \(f(m.handleTime, 1)) s"
            line += " (talk \(f(m.talkTime, 1)) + ringing \(f(m.answerDelay, 1)) + wrap-up \(f(m.wrapUp, 1))) = offered load \(f(m.offeredLoad, 2)) Erlangs"
            if let p = m.patience { line += "; mean patience \(f(p, 1)) s (exponential)" }
            print(line)
            for n in m.notes { print("  note: \(n)") }
            print("closed-form estimate: " + (m.agents.map { "\($0) agents" } ?? "none in range"))
        } else {
            print("model: none (the closed forms need one Poisson stream served by one agent group); simulation only")
        }
        let sl = plan.curve.first.map { "SL(\(f($0.figures.serviceLevelThreshold, 0))s)" } ?? "SL"
        let model = plan.closedForm.map { "\($0.model): " + plan.targets.map(\.metricName).joined(separator: " / ") } ?? ""
        print("agents  " + [sl, "ASA (s)", "abandonment", "occupancy"].map { ($0 + " [95% CI]").padding(toLength: 25, withPad: " ", startingAt: 0) }.joined()
              + (model.isEmpty ? "" : model.padding(toLength: max(26, model.count + 2), withPad: " ", startingAt: 0)) + "targets")
        for p in plan.curve {
            let cells = [p.figures.serviceLevel, p.figures.averageSpeedOfAnswer, p.figures.abandonRate, p.figures.occupancy].map { ci in
                (ci.halfWidth.isFinite ? "\(f(ci.estimate, 3)) [\(f(ci.lower, 3)), \(f(ci.upper, 3))]" : "\(f(ci.estimate, 3)) [n/a]").padding(toLength: 25, withPad: " ", startingAt: 0)
            }
            let closed = plan.closedForm == nil ? "" : p.erlang.map { $0.map { f($0, 3) } ?? "-" }.joined(separator: " / ").padding(toLength: max(26, model.count + 2), withPad: " ", startingAt: 0)
            print(String(format: "%5d   ", p.agents) + cells.joined() + closed + (p.meetsTarget ? "all met" : "missed: " + zip(plan.targets, p.metrics).filter { !$0.isMet(by: $1.estimate) }.map(\.0.description).joined(separator: ", ")))
        }
        if let n = plan.agents {
            print("smallest staffing meeting every target: \(n) agents\(plan.confident ? "" : " (not confident: a confidence interval straddles a target)")")
        } else {
            print("no staffing in range meets every target")
        }
    }

    /// FILE.json (every plan, whole) and FILE.csv (one row per staffing level tried).
    static func write(_ plans: [(group: Int, result: StaffingPlanner.PlanResult)], to output: String) throws {
        var base = output
        for suffix in [".json", ".csv"] where base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
        struct Entry: Encodable { var group: Int; var plan: StaffingPlanner.PlanResult; var model: String?; var offeredLoad: Double? }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(plans.map { Entry(group: $0.group, plan: $0.result, model: $0.result.closedForm?.model, offeredLoad: $0.result.closedForm?.offeredLoad) })
            .write(to: URL(fileURLWithPath: base + ".json"))
        // Each figure with its 95% interval's ends (clamped to the possible range; empty when not estimated).
        var csv = "group,agents,meets_all_targets,sl_threshold_s,sl,sl_lower,sl_upper,asa_s,asa_lower,asa_upper,abandon_rate,abandon_lower,abandon_upper,occupancy,occupancy_lower,occupancy_upper"
        let targets = plans.first?.result.targets ?? []
        csv += targets.indices.map { ",target\($0 + 1),target\($0 + 1)_value,target\($0 + 1)_lower,target\($0 + 1)_upper" }.joined() + "\n"
        func interval(_ ci: ConfidenceInterval) -> [String] {
            [f(ci.estimate, 5)] + (ci.halfWidth.isFinite ? [f(ci.lower, 5), f(ci.upper, 5)] : ["", ""])
        }
        for (g, plan) in plans {
            for p in plan.tried {
                let x = p.figures
                var row = [String(g), String(p.agents), String(p.meetsTarget), f(x.serviceLevelThreshold, 0)]
                for ci in [x.serviceLevel, x.averageSpeedOfAnswer, x.abandonRate, x.occupancy] { row += interval(ci) }
                for (t, m) in zip(plan.targets, p.metrics) { row += ["\"\(t.description)\""] + interval(m) }
                csv += row.joined(separator: ",") + "\n"
            }
        }
        try csv.write(toFile: base + ".csv", atomically: true, encoding: .utf8)
        print("curve: \(base).json, \(base).csv")
    }

    static func f(_ x: Double, _ digits: Int) -> String { x.isFinite ? String(format: "%.\(digits)f", x) : "n/a" }
}
