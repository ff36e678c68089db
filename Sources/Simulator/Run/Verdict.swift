import Engine
import Foundation

/// The scenario's expectations checked against a run; each failure says what was expected,
/// what was seen and which calls are involved.
public struct Verdict: Sendable {
    public struct Check: Sendable {
        /// Skipped: the expectation cannot be evaluated in this mode (never counted as a pass).
        public enum Status: String, Sendable, Codable { case passed, failed, skipped }
        /// The expectation's key as written in the scenario, with its file:line.
        public var name: String
        public var status: Status
        public var detail: String
        public var calls: [String]

        public init(name: String, passed: Bool, detail: String, calls: [String]) {
            self.init(name: name, status: passed ? .passed : .failed, detail: detail, calls: calls)
        }

        public init(name: String, status: Status, detail: String, calls: [String]) {
            self.name = name
            self.status = status
            self.detail = detail
            self.calls = calls
        }

        public var failed: Bool { status == .failed }
    }

    public var checks: [Check] = []
    /// No expectation failed (skipped ones neither pass nor fail).
    public var passed: Bool { !checks.contains(where: \.failed) }

    public init(result: SimulationRun.Result) {
        // Every call must work; the statistics leave out the warm-up's calls.
        let calls = result.calls
        let all = result.countedCalls
        let whole = RunSummary(all)
        for e in result.scenario.expectations {
            let name = e.kind.key + (e.scope.map { "[\($0)]" } ?? "") + (e.line.map { " (\(result.scenario.file):\($0))" } ?? "")
            let counted = Self.calls(all, in: e.scope, scenario: result.scenario)
            let summary = e.scope == nil ? whole : RunSummary(counted)
            if let scope = e.scope, counted.isEmpty {
                // An empty scope would pass every figure (SL 1, ASA 0...): say so and fail.
                checks.append(Check(name: name, passed: false, detail: "no counted calls in \(scope): nothing to check (is a stream calling it, or did its agents answer anything?)", calls: []))
                continue
            }
            if result.virtualTime, e.needsRealRun {
                checks.append(Check(name: name, status: .skipped, detail: "not available in virtual time (no SIP, media or engine records)", calls: []))
                continue
            }
            switch e.kind {
            case .allAnswered:
                let bad = calls.filter { $0.outcome != .answered }
                checks.append(Check(name: name, passed: bad.isEmpty,
                                    detail: "expected every call answered; \(calls.count - bad.count) of \(calls.count) were", calls: bad.map(\.callID)))
            case .noFailed:
                let bad = calls.filter { $0.outcome == .failed || $0.outcome == .unfinished }
                checks.append(Check(name: name, passed: bad.isEmpty,
                                    detail: "expected no failed calls; saw \(bad.count)" + bad.prefix(5).map { " \($0.callID) (status \($0.finalStatus.map(String.init) ?? "none"))" }.joined(), calls: bad.map(\.callID)))
            case .mediaVerified:
                let bad = calls.filter { $0.outcome == .answered && !$0.mediaVerified }
                checks.append(Check(name: name, passed: bad.isEmpty,
                                    detail: "expected two-way audio on every answered call; \(bad.count) without" + bad.prefix(3).map { c in
                                        " \(c.callID): customer heard \(c.customerHeard.map { "\($0.packetsReceived) pkts @\($0.toneHz.map { String(Int($0)) } ?? "-") Hz" } ?? "nothing"), agent heard \(c.agentHeard.map { "\($0.packetsReceived) pkts @\($0.toneHz.map { String(Int($0)) } ?? "-") Hz" } ?? "nothing")"
                                    }.joined(), calls: bad.map(\.callID)))
            case .serviceLevel(let t, let atLeast):
                let sl = summary.serviceLevel(counted, within: t)
                checks.append(Check(name: name, passed: sl >= atLeast,
                                    detail: "expected SL(\(fmt(t))s) >= \(fmt(atLeast)) [\(RunSummary.serviceLevelDefinition)]; saw \(fmt(sl))", calls: []))
            case .maxWait(let limit):
                let bad = counted.filter { ($0.wait ?? 0) > limit }
                checks.append(Check(name: name, passed: bad.isEmpty,
                                    detail: "expected every wait <= \(fmt(limit)) s; longest \(fmt(summary.maxWait)) s", calls: bad.map(\.callID)))
            case .asaAtMost(let limit):
                checks.append(Check(name: name, passed: summary.asa <= limit,
                                    detail: "expected ASA <= \(fmt(limit)) s; saw \(fmt(summary.asa)) s", calls: []))
            case .abandonRateAtMost(let limit):
                checks.append(Check(name: name, passed: summary.abandonRate <= limit,
                                    detail: "expected abandonment <= \(fmt(limit)); saw \(fmt(summary.abandonRate))", calls: counted.filter { $0.outcome == .abandoned }.map(\.callID)))
            case .answered(let n):
                checks.append(Check(name: name, passed: summary.answered == n,
                                    detail: "expected \(n) answered calls; saw \(summary.answered)", calls: []))
            case .neverRung(let agents):
                let rung = agents.filter { (result.ringsPerAgent[$0] ?? 0) > 0 }
                checks.append(Check(name: name, passed: rung.isEmpty,
                                    detail: rung.isEmpty ? "\(agents.joined(separator: ", ")) never rung" : "expected never rung; rung: " + rung.map { "\($0) (\(result.ringsPerAgent[$0] ?? 0)x)" }.joined(separator: ", "),
                                    calls: []))
            case .agentAnswered(let expected):
                let bad = expected.filter { (summary.perAgent[$0.key] ?? 0) != $0.value }
                checks.append(Check(name: name, passed: bad.isEmpty,
                                    detail: "expected " + expected.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                                        + "; saw " + expected.keys.sorted().map { "\($0)=\(summary.perAgent[$0] ?? 0)" }.joined(separator: " "),
                                    calls: []))
            case .agentRung(let expected):
                let bad = expected.filter { (result.ringsPerAgent[$0.key] ?? 0) != $0.value }
                checks.append(Check(name: name, passed: bad.isEmpty,
                                    detail: "expected rings " + expected.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                                        + "; saw " + expected.keys.sorted().map { "\($0)=\(result.ringsPerAgent[$0] ?? 0)" }.joined(separator: " "),
                                    calls: []))
            case .finalQueue(let queue):
                let bad = (result.records ?? []).filter { $0.queue != queue }
                checks.append(Check(name: name, passed: result.records != nil && bad.isEmpty,
                                    detail: "expected every engine record to end in queue \(queue); " + (bad.isEmpty ? "all \(result.records?.count ?? 0) did" : bad.prefix(5).map { "\($0.callID) ended in \($0.queue) (from \($0.originalQueue))" }.joined(separator: ", ")),
                                    calls: bad.map(\.callID)))
            case .heardWhileWaiting:
                let waited = calls.filter { c in (c.answeredAt ?? c.endedAt).map { $0 - c.offeredAt > 1 } ?? false }
                let bad = waited.filter { c in (c.heardWhileWaiting ?? 0) < 0.5 * ((c.answeredAt ?? c.endedAt ?? c.offeredAt) - c.offeredAt) }
                checks.append(Check(name: name, passed: bad.isEmpty && !waited.isEmpty,
                                    detail: waited.isEmpty ? "no call waited over a second"
                                        : "expected every call that waited to hear sound for at least half its wait; \(waited.count - bad.count) of \(waited.count) did"
                                        + bad.prefix(3).map { c in " \(c.callID): \(fmt(c.heardWhileWaiting ?? 0)) s of sound in \(fmt((c.answeredAt ?? c.endedAt ?? c.offeredAt) - c.offeredAt)) s" }.joined(),
                                    calls: bad.map(\.callID)))
            case .queueMediaHeard:
                let judgement = QueueMediaHeard.judge(result)
                if judgement.judged == 0, !calls.contains(where: { $0.heardTimeline != nil }) {
                    checks.append(Check(name: name, status: .skipped, detail: "ccsim tells the engine's prompts apart only in an engine it starts (from the scenario's engine section)", calls: []))
                    continue
                }
                let bad = judgement.problems.map(\.call).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                let first = bad.first.flatMap { id in calls.first { $0.callID == id } }
                checks.append(Check(name: name, passed: judgement.judged > 0 && bad.isEmpty,
                                    detail: judgement.judged == 0 ? "no caller waited over half a second in a queue whose media plays"
                                        : "expected each waiting caller to hear its queue's media as configured (entry prompt, music, position and periodic announcements at their times); \(judgement.judged - bad.count) of \(judgement.judged) did"
                                        + judgement.problems.prefix(3).map { " \($0.call): \($0.problem)." }.joined()
                                        + (first.map { " \($0.callID) heard: " + QueueMediaHeard.describe($0.heardTimeline ?? [], until: .infinity) } ?? ""),
                                    calls: bad))
            case .voicemailsHeard(let n):
                let vm = result.voicemails
                checks.append(Check(name: name, passed: vm.heard >= n,
                                    detail: "expected at least \(n) voicemail messages heard by ccsim's agents with the caller's tone; \(vm.offered) offered, \(vm.taken) taken, \(vm.heard) heard",
                                    calls: []))
            case .dtmfReceived:
                let sending = calls.filter { $0.outcome == .answered && $0.dtmfSent != nil }
                let bad = sending.filter { $0.agentHeard?.dtmf != $0.dtmfSent }
                checks.append(Check(name: name, passed: bad.isEmpty && !sending.isEmpty,
                                    detail: sending.isEmpty ? "no answered call sent DTMF (give a customer stream dtmf: DIGITS)"
                                        : "expected each agent to receive its customer's DTMF; \(sending.count - bad.count) of \(sending.count) did"
                                        + bad.prefix(3).map { " \($0.callID): sent \($0.dtmfSent ?? "") received \($0.agentHeard?.dtmf ?? "nothing")" }.joined(),
                                    calls: bad.map(\.callID)))
            case .fairness(let agents, let minA, let maxA, let ratio):
                let who = agents ?? result.scenario.agentGroups.flatMap(\.logins)
                let counts = who.map { ($0, summary.perAgent[$0] ?? 0) }
                var problems: [String] = []
                if let minA { problems += counts.filter { $0.1 < minA }.map { "\($0.0) answered \($0.1) < \(minA)" } }
                if let maxA { problems += counts.filter { $0.1 > maxA }.map { "\($0.0) answered \($0.1) > \(maxA)" } }
                let most = counts.max { $0.1 < $1.1 }, least = counts.min { $0.1 < $1.1 }
                if let ratio, let most, let least, Double(most.1) > ratio * Double(least.1) {
                    problems.append("busiest \(most.0) answered \(most.1), least busy \(least.0) \(least.1): ratio \(least.1 == 0 ? "infinite" : fmt(Double(most.1) / Double(least.1))) > \(fmt(ratio))")
                }
                let range = most.map { m in "answered per agent \(least?.1 ?? 0)...\(m.1) over \(counts.count) agents" } ?? "no agents"
                checks.append(Check(name: name, passed: problems.isEmpty && !counts.isEmpty,
                                    detail: problems.isEmpty ? range : "\(range); " + problems.prefix(5).joined(separator: "; "), calls: []))
            case .recordsMatch:
                let diffs = RecordCrossCheck.differences(calls: calls, records: result.records, voicemails: result.voicemails)
                checks.append(Check(name: name, passed: diffs.isEmpty,
                                    detail: diffs.isEmpty ? "engine records match ccsim's observations (\(calls.count) calls)" : "engine records differ: " + diffs.prefix(5).joined(separator: "; "),
                                    calls: []))
            }
        }
    }
}

extension Verdict {
    /// The counted calls an expectation looks at: those that called the queue, or those the
    /// group's agents answered.
    static func calls(_ counted: [CallObservation], in scope: Expectation.Scope?, scenario: Scenario) -> [CallObservation] {
        switch scope {
        case nil: return counted
        case .queue(let q): return counted.filter { $0.queue == q }
        case .group(let g):
            let logins = Set(scenario.agentGroups.first { $0.name == g }?.logins ?? [])
            return counted.filter { $0.outcome == .answered && $0.agent.map(logins.contains) == true }
        }
    }
}

/// Compares ccsim's observations with the engine's SQLite call records, call by call.
public enum RecordCrossCheck {
    /// Voicemail messages the engine dispatched (records of media `voicemail`) are no calls ccsim
    /// placed: those answered are compared, per agent, with the messages its agents took.
    public static func differences(calls: [CallObservation], records allRecords: [CallRecordStore.Row]?, voicemails: VoicemailsTaken? = nil) -> [String] {
        guard let allRecords else { return ["no engine records available (give --records PATH with --engine)"] }
        var out: [String] = []
        let records = allRecords.filter { $0.media != "voicemail" }
        if let voicemails {
            var taken: [String: Int] = [:]
            for r in allRecords where r.media == "voicemail" && r.answeredAt != nil { taken[r.agent ?? "-", default: 0] += 1 }
            if taken != voicemails.takenPerAgent {
                out.append("voicemail messages taken: engine recorded \(taken.sorted { $0.key < $1.key }), ccsim's agents took \(voicemails.takenPerAgent.sorted { $0.key < $1.key })")
            }
        }
        let byID = Dictionary(records.map { ($0.callID, $0) }, uniquingKeysWith: { a, _ in a })
        for c in calls {
            guard let r = byID[c.callID] else {
                // A call the engine refused before queueing (404/488) has no record by design.
                if c.outcome == .failed, let s = c.finalStatus, [400, 404, 488, 503].contains(s) { continue }
                out.append("\(c.callID): no engine record")
                continue
            }
            let expected: Set<String> = switch c.outcome {
            case .answered: ["answered"]
            case .abandoned: ["abandoned", "voicemail"]  // a caller who hangs up in a voicemail box (its 200 said X-CC-Answered-By: voicemail)
            case .failed, .unfinished: ["failed", "rejected", "voicemail", "abandoned"]
            }
            if !expected.contains(r.disposition) { out.append("\(c.callID): ccsim saw \(c.outcome.rawValue), engine recorded \(r.disposition)") }
            if c.outcome == .answered, c.agent != r.agent { out.append("\(c.callID): ccsim saw agent \(c.agent ?? "-"), engine recorded \(r.agent ?? "-")") }
        }
        let observed = Set(calls.map(\.callID))
        for r in records where !observed.contains(r.callID) { out.append("\(r.callID): engine record for a call ccsim did not place") }
        return out
    }
}

func fmt(_ x: Double) -> String { String(format: "%.3g", x) }
