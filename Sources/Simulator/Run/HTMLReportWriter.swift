import Foundation
import HTMLReport

/// `report.html` beside `report.json`: one self-contained file (inline CSS and SVG, opens offline)
/// with the summary, the verdict, queue length and agents busy over time, agents by state (virtual
/// time knows every state; a real run shows logged-in agents from the scenario's schedule beside
/// the busy ones), the wait histogram, service level per interval and per-agent occupancy.
public enum HTMLReportWriter {
    /// - Parameter agentStates: time-average agents per state per interval (virtual time), drawn
    ///   as a stacked area.
    public static func write(_ result: SimulationRun.Result, verdict: Verdict, to directory: String,
                             agentStates: [Series]? = nil) throws -> String {
        let s = RunSummary(result.countedCalls)
        let timeline = { (c: CallObservation) in
            CallTimeline(offeredAt: c.offeredAt, answeredAt: c.answeredAt, endedAt: c.endedAt, outcome: c.outcome.rawValue, agent: c.agent)
        }
        // Time series show the whole run (warm-up included); every count and figure is over the
        // counted calls (warm-up excluded), as in the console and report.json.
        let timelines = result.calls.map(timeline)
        let counted = result.countedCalls.map(timeline)
        let warmUp = result.calls.count - counted.count
        let span = max(1, (result.calls.compactMap(\.endedAt).max() ?? result.elapsed))
        let step = max(0.1, span / 400)
        var doc = HTMLDocument(title: "ccsim: \(result.scenario.name)",
                               subtitle: "\(result.scenario.file) — \(result.virtualTime ? "virtual time" : "real engine over SIP")")
        doc.add(.heading("Summary"))
        var kv: [(String, String)] = [
            ("offered", "\(s.offered)"), ("answered", "\(s.answered)"), ("abandoned", "\(s.abandoned)"),
            ("failed", "\(s.failed)"), ("unfinished (still up at the end)", "\(s.unfinished)"),
            ("ASA", String(format: "%.2f s", s.asa)), ("max wait", String(format: "%.2f s", s.maxWait)),
            ("SL(20 s)", String(format: "%.3f (%@)", s.serviceLevel20s, RunSummary.serviceLevelDefinition)),
            ("abandonment", String(format: "%.3f", s.abandonRate)),
            ("run time", String(format: "%.1f s", result.elapsed)),
            ("warm-up calls (checked, not counted)", "\(result.calls.count - result.countedCalls.count)"),
        ]
        if s.rtpReceived > 0 { kv.append(("RTP received / lost", "\(s.rtpReceived) / \(s.rtpLost)")) }
        if let r = result.records { kv.append(("engine records", "\(r.count)")) }
        doc.add(.keyValues(kv))
        let b = RunBreakdown(result)
        doc.add(.heading("Per queue and agent group"))
        doc.add(.table(Table(
            header: ["queue (called)", "offered", "answered", "abandoned", "failed / unfinished", "ASA (s)", "max wait (s)", "SL(20 s)", "abandonment"],
            rows: b.queues.sorted { $0.key < $1.key }.map { q, s in
                [q, "\(s.offered)", "\(s.answered)", "\(s.abandoned)", "\(s.failed + s.unfinished)", String(format: "%.2f", s.asa),
                 String(format: "%.2f", s.maxWait), String(format: "%.3f", s.serviceLevel20s), String(format: "%.3f", s.abandonRate)]
            }, caption: "Calls by the queue the customer called (warm-up calls excluded); a call moved by a recipe or overflow stays in its first queue here and is counted below.")))
        doc.add(.table(Table(
            header: ["moved from", "to", "calls", "answered", "abandoned", "unfinished"],
            rows: b.moves.map { [$0.from, $0.to, "\($0.calls)", "\($0.answered)", "\($0.abandoned)", "\($0.unfinished)"] },
            caption: b.movesKnown ? "Calls the engine moved between queues (recipe new_queue, overflow)." : "Moves between queues are unknown without the engine's records (--records).")))
        doc.add(.table(Table(
            header: ["agent group", "agents", "answered", "ASA (s)", "max wait (s)", "occupancy"],
            rows: b.groups.sorted { $0.key < $1.key }.map { g, f in
                [g, "\(f.agents)", "\(f.answered)", String(format: "%.2f", f.asa), String(format: "%.2f", f.maxWait), String(format: "%.3f", f.occupancy)]
            }, caption: "Calls each group's agents answered; occupancy = time on calls / logged-in time (ringing and wrap-up not included).")))
        doc.add(.heading("Expectations"))
        doc.add(.checks(verdict.checks.map { Check($0.name, passed: $0.status == .passed, skipped: $0.status == .skipped, detail: $0.detail) }))
        doc.add(.heading("Over time"))
        var lines = [CallTimelines.queueLength(timelines, step: step), CallTimelines.busyAgents(timelines, step: step)]
        if agentStates == nil, !result.scenario.agentGroups.isEmpty {
            lines.append(loggedIn(result.scenario, span: span, step: step))
        }
        doc.add(.chart(.lines(title: "Calls waiting and agents busy", xLabel: "time", yLabel: "calls",
                              series: lines, xFormat: .seconds)))
        if let agentStates {
            doc.add(.chart(.stackedArea(title: "Agents by state (time average per interval)", xLabel: "time", yLabel: "agents",
                                        series: agentStates, xFormat: .seconds)))
        }
        // Service level per interval over the counted calls; an interval with few calls swings
        // 0-100 % on one call, so those are drawn as a separate, unreliable series and every
        // interval's count is listed.
        let minCalls = 5
        let intervals = CallTimelines.serviceLevelIntervals(counted, interval: max(1, span / 20), within: 20)
        doc.add(.chart(.lines(title: "Service level per interval (answered within 20 s / offered; counted calls)", xLabel: "time", yLabel: "SL",
                              series: [Series(name: "intervals with \(minCalls)+ calls", points: intervals.filter { $0.offered >= minCalls }.map { ($0.start, $0.serviceLevel) }),
                                       Series(name: "fewer than \(minCalls) calls (unreliable)", points: intervals.filter { $0.offered < minCalls }.map { ($0.start, $0.serviceLevel) })],
                              xFormat: .seconds, yFormat: .percent)))
        doc.add(.table(Table(header: ["interval from (s)", "calls offered", "answered within 20 s", "SL"],
                             rows: intervals.map { [String(format: "%.0f", $0.start), "\($0.offered)", "\($0.met)", $0.offered < minCalls ? String(format: "(%.2f, too few calls)", $0.serviceLevel) : String(format: "%.2f", $0.serviceLevel)] },
                             caption: "Calls offered per interval; intervals with fewer than \(minCalls) calls are too small for a service level.")))
        doc.add(.heading("Waits"))
        doc.add(.chart(.histogram(title: "Wait before answer", xLabel: "wait", bins: Histogramming.niceBins(CallTimelines.waitTimes(timelines)),
                                  xFormat: .seconds)))
        let occupancy = CallTimelines.occupancy(timelines, span: span)
        if !occupancy.isEmpty && occupancy.count <= 60 {
            doc.add(.heading("Agents"))
            doc.add(.chart(.bars(title: "Occupancy per agent (talk time / run)", yLabel: "occupancy",
                                 bars: occupancy.map { ($0.agent, $0.busyFraction) }, yFormat: .percent)))
        } else if !occupancy.isEmpty {
            doc.add(.heading("Agents"))
            doc.add(.chart(.histogram(title: "Occupancy across \(occupancy.count) agents (talk time / run)", xLabel: "occupancy",
                                      yLabel: "agents", bins: Histogramming.niceBins(occupancy.map(\.busyFraction)), xFormat: .percent)))
        }
        doc.add(.table(Table(header: ["outcome", "calls"], rows: CallTimelines.outcomes(counted).map { [$0.outcome, "\($0.count)"] },
                             caption: warmUp > 0 ? "Counted calls: the \(warmUp) calls offered during the warm-up are left out, as in every figure." : nil)))
        let path = (directory as NSString).appendingPathComponent("report.html")
        try doc.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Agents logged in over time, from the scenario's login and logout times (scenario seconds).
    static func loggedIn(_ scenario: Scenario, span: Double, step: Double) -> Series {
        var points: [(x: Double, y: Double)] = []
        var t = 0.0
        while t <= span {
            let n = scenario.agentGroups.reduce(0) { sum, g in
                sum + (t >= g.loginAt && t < (g.logoutAt ?? .infinity) ? g.logins.count : 0)
            }
            points.append((t, Double(n)))
            t += step
        }
        return Series(name: "agents logged in", points: points)
    }
}
