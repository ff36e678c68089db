import Foundation

/// Writes `report.json` for a run: the scenario, every call as observed, the summary and the
/// verdict. (The HTML report is tracked in issue 5.)
public enum ReportWriter {
    struct Report: Encodable {
        var scenario: String
        var file: String
        var startedAt: Double
        var elapsedSeconds: Double
        var serviceLevelDefinition = RunSummary.serviceLevelDefinition
        var summary: RunSummary
        /// Per queue (the queue called), per agent group, and moves between queues.
        var breakdown: RunBreakdown
        var warmUpCallsExcluded: Int
        var checks: [CheckOut]
        var calls: [CallObservation]
        var engineRecords: Int?
        /// Voicemail messages the engine offered to the run's agents; absent when none.
        var voicemails: VoicemailsTaken?
    }
    struct CheckOut: Encodable {
        var name: String
        var status: Verdict.Check.Status
        var passed: Bool
        var detail: String
        var calls: [String]
    }

    public static func write(_ result: SimulationRun.Result, verdict: Verdict, to directory: String) throws -> String {
        let report = Report(
            scenario: result.scenario.name, file: result.scenario.file, startedAt: result.startedAt, elapsedSeconds: result.elapsed,
            summary: RunSummary(result.countedCalls), breakdown: RunBreakdown(result),
            warmUpCallsExcluded: result.calls.count - result.countedCalls.count,
            checks: verdict.checks.map { CheckOut(name: $0.name, status: $0.status, passed: $0.status == .passed, detail: $0.detail, calls: $0.calls) },
            calls: result.calls, engineRecords: result.records?.count, voicemails: result.voicemails.offered > 0 ? result.voicemails : nil)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = (directory as NSString).appendingPathComponent("report.json")
        try enc.encode(report).write(to: URL(fileURLWithPath: path))
        return path
    }

    public static func defaultDirectory(for scenario: String, root: String = "Reports") -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return (root as NSString).appendingPathComponent("\(scenario)-\(f.string(from: Date()))")
    }
}

/// The one-screen summary printed at the end of a run.
public enum SummaryPrinter {
    public static func text(_ result: SimulationRun.Result, verdict: Verdict) -> String {
        let s = RunSummary(result.countedCalls)
        var out = "\n== \(result.scenario.name): \(s.offered) offered, \(s.answered) answered, \(s.abandoned) abandoned, \(s.failed) failed\(s.unfinished > 0 ? ", \(s.unfinished) unfinished (still up at the \(fmt(result.scenario.maxDuration)) s duration)" : "") in \(fmt(result.elapsed)) s\n"
        let warm = result.calls.count - result.countedCalls.count
        if warm > 0 { out += "  (\(warm) calls offered during the \(fmt(result.scenario.warmUp)) s warm-up are checked but not counted in the figures)\n" }
        if result.calls.count > 40 { out += "  (\(result.calls.count) calls: see report.json for each)\n" }
        for c in result.calls where result.calls.count <= 40 {
            let media: String
            if c.outcome != .answered || result.virtualTime {  // virtual time has no media to verify
                media = ""
            } else if c.mediaVerified {
                media = "  media verified both ways (customer heard \(c.customerHeard?.packetsReceived ?? 0) pkts of \(Int(c.customerHeard?.expectedHz ?? 0)) Hz, agent heard \(c.agentHeard?.packetsReceived ?? 0) pkts of \(Int(c.agentHeard?.expectedHz ?? 0)) Hz)"
            } else {
                media = "  MEDIA NOT VERIFIED (customer heard \(c.customerHeard?.packetsReceived ?? 0) pkts, agent heard \(c.agentHeard?.packetsReceived ?? 0) pkts)"
            }
            let wait = c.wait.map { "wait \(String(format: "%.2f", $0)) s" } ?? ""
            out += "  \(c.caller) -> \(c.queue): \(c.outcome.rawValue)\(c.agent.map { " by \($0)" } ?? "") \(wait)\(media)\n"
        }
        if s.perAgent.count > 20 {
            let counts = s.perAgent.values
            out += "  answered per agent: \(s.perAgent.count) agents, min \(counts.min() ?? 0), max \(counts.max() ?? 0)\n"
            out += "  rings per agent: \(result.ringsPerAgent.count) agents rung, \(result.ringsPerAgent.values.reduce(0, +)) rings\n"
        } else {
        out += "  answered per agent: " + s.perAgent.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
        if !result.virtualTime { out += "  rings per agent: " + result.ringsPerAgent.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n" }
        }
        out += "  ASA \(fmt(s.asa)) s, max wait \(fmt(s.maxWait)) s, SL(20 s) \(fmt(s.serviceLevel20s)) [\(RunSummary.serviceLevelDefinition)], abandonment \(fmt(s.abandonRate))\n"
        if !result.inviteToAgentInvite.isEmpty {
            func line(_ ns: [UInt64]) -> String {
                let l = ns.sorted()
                func pct(_ p: Double) -> String { String(format: "%.3f", Double(l[min(l.count - 1, Int(Double(l.count) * p))]) / 1e6) }
                return "p50 \(pct(0.5)) p99 \(pct(0.99)) max \(pct(1.0)) over \(l.count) calls"
            }
            out += "  customer INVITE -> first agent INVITE (ms, real time, queue wait included): \(line(result.inviteToAgentInvite))\n"
            // The engine's records say how long each call waited for an agent (enqueued -> first
            // ring); the rest is the engine's own latency (SIP in, routing, SIP out, two loopback hops).
            if let records = result.records {
                let queued = Dictionary(records.compactMap { r in r.firstRingAt.map { (r.callID, max(0, $0 - r.enqueuedAt)) } }, uniquingKeysWith: { a, _ in a })
                var waits: [UInt64] = [], own: [UInt64] = []
                for (call, ns) in result.inviteToAgentInviteByCall {
                    guard let q = queued[call] else { continue }
                    let waitNs = UInt64((q * 1e9).rounded())
                    waits.append(waitNs)
                    own.append(ns > waitNs ? ns - waitNs : 0)
                }
                if !own.isEmpty {
                    out += "    of which waiting for an agent (engine records, enqueued -> first ring): \(line(waits))\n"
                    out += "    the engine's own latency (the rest): \(line(own))\n"
                }
            }
        }
        let media = RunSummary(result.calls)  // RTP of every call, warm-up included
        if media.rtpReceived > 0 {
            let unreceived = media.rtpSent > media.rtpReceived ? Double(media.rtpSent - media.rtpReceived) / Double(media.rtpSent) : 0
            out += "  RTP: \(media.rtpReceived) packets received by the phones, \(media.rtpLost) lost in sequence (\(String(format: "%.3f", media.rtpLossRate * 100))%); "
                + "sent \(media.rtpSent), not received \(String(format: "%.3f", unreceived * 100))% (includes packets in flight at hang-up)\n"
            out += "  RTCP: \(media.rtcpReceived) reports received by the phones through the relay (the engine keeps each leg's reported loss, jitter and round trip in call_quality)\n"
        }
        out += RunBreakdown(result).text
        if let r = result.records { out += "  engine records: \(r.count)\n" }
        let vm = result.voicemails
        if vm.offered > 0 {
            out += "  voicemail messages offered to agents: \(vm.offered), taken \(vm.taken) ("
                + vm.takenPerAgent.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                + "), the caller's tone heard in \(vm.heard)\n"
        }
        if let c = result.captureStats { out += "  capture: \(c.written) packets written to the file, \(c.dropped) dropped by the kernel\n" }
        for c in verdict.checks {
            out += "  [\(c.status == .passed ? "PASS" : c.status == .failed ? "FAIL" : "SKIP")] \(c.name): \(c.detail)\n"
        }
        let skipped = verdict.checks.filter { $0.status == .skipped }.count
        out += (verdict.passed ? "RESULT: PASS" : "RESULT: FAIL") + (skipped > 0 ? " (\(skipped) expectations skipped, not checked)\n" : "\n")
        return out
    }
}
