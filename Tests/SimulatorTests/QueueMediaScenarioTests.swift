import Foundation
import Logging
import Testing
@testable import Engine
import SIP
@testable import Simulator

/// ccsim against an engine whose queue plays music and positions to waiting callers (early
/// media, 183): callers wait behind busy agents hearing the queue, and the run's verdict is the
/// same as without queue media: every call answered, the agent heard both ways, the records
/// matching what the phones saw.
@Suite(.serialized) struct QueueMediaScenarioTests {
    @Test func aScenarioWithQueueMediaStillVerifiesEveryCall() async throws {
        let (result, _) = try await Self.run(name: "queue-media", folder: "queue-media-scenario", rtp: 30000...30099, duration: "30s", """
              queues:
                - name: support
                  media: {answer: early, music: \(E2E.root)/Prompts/music.wav, entry: \(E2E.root)/Prompts/welcome.wav, position: {every: 2s, first_after: 1s}}
              agents: [{login: alice, password: alice-secret}]
            agents:
              - {logins: [alice], answer_delay: 2.5s}
            customers:
              - {queue: support, calls: 3, arrival: {every: 0.3s}, hold_time: 1s}
            expect:
              all_answered: true
              media_verified: true
              records_match: true
              heard_while_waiting: true
            """)
        #expect(result.calls.count == 3)
        for call in result.calls { #expect(call.outcome == .answered && call.mediaVerified, "\(call)") }
        // Every caller waited (the agent answers after 2.5 s) with the queue playing to it.
        let waits = (result.records ?? []).compactMap { r in r.answeredAt.map { $0 - r.enqueuedAt } }
        #expect(waits.count == 3 && waits.allSatisfy { $0 >= 2 }, "waits \(waits)")
        let verdict = Verdict(result: result)
        #expect(verdict.passed, "\(verdict.checks.filter(\.failed).map { "\($0.name): \($0.detail)" })")
    }

    /// ccsim judges from each caller's own audio that it heard its queue as configured: the entry
    /// prompt, the music on hold, its position said at 1 s and then every 3 s while it waited (the
    /// shipped spoken prompts, told apart frame by frame), with a plausible number; and a queue
    /// whose announcements come at other times than the check is told fails it. The agent logs
    /// in at 8 s, so every caller waits for it however late the parallel test run places calls.
    @Test func callersHearTheirPositionAtTheConfiguredTimes() async throws {
        let (result, _) = try await Self.run(name: "queue-media-heard", folder: "queue-media-heard", rtp: 31200...31299, duration: "40s", """
              queues:
                - name: support
                  media: {answer: early, music: \(E2E.root)/Prompts/music.wav, entry: \(E2E.root)/Prompts/minute.wav, position: {every: 3s, first_after: 1s}}
              agents: [{login: alice, password: alice-secret}]
            agents:
              - {logins: [alice], answer_delay: 1s, login_at: 8s}
            customers:
              - {queue: support, calls: 3, arrival: {every: 0.3s}, hold_time: 1s}
              # The queue in A-law to a caller that offers PCMA only.
              - {queue: support, calls: 1, arrival: {every: 1s, start: 0.5s}, hold_time: 1s, codecs: [PCMA], caller_prefix: alaw}
            expect:
              all_answered: true
              queue_media_heard: true
            """)
        let verdict = Verdict(result: result)
        #expect(verdict.passed, "\(verdict.checks.filter(\.failed).map { "\($0.name): \($0.detail)" })")
        let check = try #require(verdict.checks.first { $0.name.hasPrefix("queue_media_heard") })
        let rung = { (c: CallObservation) in Double(result.inviteToAgentInviteByCall[c.callID] ?? 0) / 1e9 }
        let calls = result.calls.map { c in "\(c.callID) offered \(c.offeredAt) answered \(c.answeredAt ?? -1) rung after \(rung(c)): \(QueueMediaHeard.describe(c.heardTimeline ?? [], until: .infinity))" }
        #expect(check.status == .passed && !check.detail.contains(" 0 of"), "\(check.detail) \(calls)")
        // The caller who waited longest for its ring (~8 s): its position at 1 s, 4 s and 7 s
        // (those due half a second before its ring at least), music in between.
        let longest = try #require(result.calls.max { rung($0) < rung($1) })
        let heard = longest.heardTimeline ?? []
        let positions = heard.filter { $0.is("caller-number") && $0.at < rung(longest) }.map(\.at)
        let due = [1.0, 4.0, 7.0].filter { $0 < rung(longest) - 0.5 }
        #expect(!due.isEmpty && positions.count >= due.count && zip(positions, due).allSatisfy { abs($0 - $1) < 0.5 }, "\(calls)")
        #expect(heard.contains { $0.is("\(E2E.root)/Prompts/music.wav") } && heard.first?.is("\(E2E.root)/Prompts/minute.wav") == true, "\(heard)")
        let alaw = try #require(result.calls.first { $0.caller.hasPrefix("alaw") })
        let alawHeard = alaw.heardTimeline ?? []
        #expect(alaw.customerHeard?.codec == "PCMA", "\(alaw)")
        #expect(alawHeard.first?.is("\(E2E.root)/Prompts/minute.wav") == true && alawHeard.contains { $0.is("\(E2E.root)/Prompts/music.wav") }
                && alawHeard.contains { $0.is("caller-number") }, "\(alawHeard)")
        // The same audio judged against a queue whose first announcement comes at 2 s: the
        // announcement heard at 1 s fails the check.
        var other = result
        other.scenario.engine.queueMedia["support"]?.position?.firstAfter = .seconds(2)
        let failed = try #require(Verdict(result: other).checks.first { $0.name.hasPrefix("queue_media_heard") })
        #expect(failed.failed && failed.detail.contains("not at a configured time"), "\(failed.detail)")
    }

    /// Callers reach a menu (answered 200 by the engine at once), press 1 (RFC 4733 from their
    /// oRTP phones), wait in a queue that answers on entry, then talk to the agent: ccsim counts a
    /// call answered when the agent answers, not at the engine's 200, so its verdict still
    /// matches the engine's records; a caller whose patience runs out in the menu abandons.
    @Test func callersThroughAMenuAreAnsweredWhenTheAgentAnswers() async throws {
        let (result, _) = try await Self.run(name: "menu", folder: "menu-scenario", rtp: 28300...28399, duration: "40s", """
              queues:
                - name: support
                  media: {answer: queued, music: \(E2E.root)/Prompts/music.wav}
              menus:
                - name: main
                  prompt: \(E2E.root)/Prompts/welcome.wav
                  timeout: 10s
                  options: {"1": {queue: support}}
              agents: [{login: alice, password: alice-secret}]
            agents:
              - {logins: [alice], answer_delay: 0.3s}
            customers:
              - {queue: main, calls: 3, arrival: {every: 0.3s}, hold_time: 2s, dtmf: {digits: "1", after: 1s}}
              - {queue: main, calls: 1, arrival: {every: 1s}, hold_time: 2s, patience: 1s, caller_prefix: impatient}
            expect:
              media_verified: true
              records_match: true
            """)
        #expect(result.calls.count == 4)
        let patient = result.calls.filter { !$0.caller.hasPrefix("impatient") }, impatient = result.calls.filter { $0.caller.hasPrefix("impatient") }
        for call in patient { #expect(call.outcome == .answered && call.mediaVerified && call.agent == "alice", "\(call)") }
        #expect(impatient.map(\.outcome) == [.abandoned], "\(impatient)")
        // Answered means the agent's answer: after the key (1 s) and the agent's own delay.
        for call in patient { #expect((call.answeredAt ?? 0) - call.offeredAt >= 1.0, "\(call)") }
        let verdict = Verdict(result: result)
        #expect(verdict.passed, "\(verdict.checks.filter(\.failed).map { "\($0.name): \($0.detail)" })")
    }

    /// ccsim customers walk two menus (a key in the first, another in the second after its
    /// prompt), and the second menu's option sets the skill that routes them to the one agent
    /// who has it; the engine's saved path is exactly the steps they took.
    @Test func customersWalkTwoMenusStepByStep() async throws {
        let (result, dir) = try await Self.run(name: "menu-steps", folder: "menu-steps-scenario", rtp: 31100...31199, duration: "40s", """
              queues: [{name: support}]
              menus:
                - {name: main, prompt: \(E2E.root)/Prompts/1.wav, timeout: 10s, options: {"2": {menu: billing}}}
                - {name: billing, prompt: \(E2E.root)/Prompts/2.wav, timeout: 10s, options: {"1": {queue: support, skills: [billing]}}}
              agents: [{login: alice, password: alice-secret}, {login: bob, password: bob-secret, skills: [billing]}]
            agents:
              - {logins: [alice, bob], answer_delay: 0.3s}
            customers:
              - {queue: main, calls: 2, arrival: {every: 0.5s}, hold_time: 1s, dtmf: [{digits: "2", after: 1s}, {digits: "1", after: 1.5s}]}
            expect:
              all_answered: true
              agent_answered: {bob: 2}
              never_rung: [alice]
              records_match: true
            """)
        #expect(result.calls.count == 2)
        let verdict = Verdict(result: result)
        #expect(verdict.passed, "\(verdict.checks.filter(\.failed).map { "\($0.name): \($0.detail)" })")
        let store = try CallRecordStore(directory: dir + "/report/engine-state")
        for call in result.calls { #expect(try store.menuPath(of: call.callID) == "main 2 billing 1", "\(call.callID)") }
    }

    /// Callers nobody answers go to the queue's voicemail box (answered by the engine: ccsim
    /// keeps waiting for an agent until its patience ends, speaking its tone all along); the
    /// messages are then offered to ccsim's agent, who logs in later: ccsim counts them apart
    /// from customer calls (no ring of a customer's call), hears the caller's tone in each, and
    /// its records check matches the engine's item records. Sent there by the queue's maximum
    /// wait (PCMU callers), or by the recipe's `voicemail` operation at the first 1 s tick (PCMA
    /// callers: the message is decoded from A-law and played to the agent in μ-law).
    @Test(arguments: ["max_wait", "recipe"])
    func messagesLeftByCallersAreOfferedToTheAgentAndHeard(sentBy: String) async throws {
        let toVoicemail = sentBy == "recipe"
            ? "recipe: [{conditions: [{ticks: 1}], operations: [voicemail]}]"
            : "max_wait: 1s, on_max_wait: voicemail"
        let (result, _) = try await Self.run(name: "voicemail", folder: "voicemail-scenario-\(sentBy)", rtp: 30700...30799, duration: "20s",
                                             routing: "{ring_timeout: 10s, wrap_up: 0s, tick: 1s}", """
              queues:
                - {name: support, \(toVoicemail), media: {voicemail: {greeting: \(E2E.root)/Prompts/1.wav, max: 20s}}}
                - name: sales
              agents: [{login: alice, password: alice-secret}]
            agents:
              - {logins: [alice], answer_delay: 0.3s, login_at: 8s}
            customers:
              - {queue: support, calls: 2, arrival: {every: 0.5s}, hold_time: 1s, patience: 4s, codecs: [\(sentBy == "recipe" ? "PCMA" : "PCMU")]}
              # Keeps the run going (it ends when the last customer is done) while alice takes the messages.
              - {queue: sales, calls: 1, arrival: {every: 10s, start: 10s}, hold_time: 1s, caller_prefix: late}
            expect:
              records_match: true
              voicemails_heard: 2
            """)
        #expect(result.calls.count == 3)
        for call in result.calls { #expect(call.outcome == (call.caller.hasPrefix("late") ? .answered : .abandoned), "\(call)") }
        #expect(result.ringsPerAgent["alice"] == 1, "a message is not a ring of a customer's call")
        #expect(result.voicemails.offeredPerAgent == ["alice": 2] && result.voicemails.takenPerAgent == ["alice": 2], "\(result.voicemails)")
        #expect(result.voicemails.heard == 2, "the caller's tone in each message: \(result.voicemails)")
        let items = (result.records ?? []).filter { $0.media == "voicemail" }
        #expect(items.count == 2 && items.allSatisfy { $0.agent == "alice" && $0.endReason == "message-played" }, "\(items)")
        let verdict = Verdict(result: result)
        #expect(verdict.passed, "\(verdict.checks.filter(\.failed).map { "\($0.name): \($0.detail)" })")
    }

    /// Runs a scenario whose engine (started by ccsim on a free SIP port) has these relay ports,
    /// the shipped prompts and a 10 s ring timeout; `rest` is the rest of the engine section and
    /// the scenario, indented as in the file. Returns the result and the run's folder.
    static func run(name: String, folder: String, rtp: ClosedRange<Int>, duration: String,
                    routing: String = "{ring_timeout: 10s, wrap_up: 0s}", _ rest: String) async throws -> (SimulationRun.Result, String) {
        let (path, dir) = try write(name: name, folder: folder, rtp: rtp, duration: duration, routing: routing, rest)
        return (try await run(path, in: dir), dir)
    }

    /// The scenario file `run` runs, in a new folder; returns its path and the folder.
    static func write(name: String, folder: String, rtp: ClosedRange<Int>, duration: String,
                      routing: String = "{ring_timeout: 10s, wrap_up: 0s}", _ rest: String) throws -> (path: String, dir: String) {
        let dir = E2E.tempDirectory(folder)
        let path = dir + "/scenario.yaml"
        try """
            name: \(name)
            duration: \(duration)
            engine:
              sip: {address: 127.0.0.1:\(RawUDP().port)}
              media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound), prompts: \(E2E.root)/Prompts}
              routing: \(routing)

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(rest.utf8))
        try handle.close()
        return (path, dir)
    }

    static func run(_ path: String, in dir: String) async throws -> SimulationRun.Result {
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engineBinary = E2E.engineBinary
        options.quiet = true
        return try await SimulationRun(scenario: try ScenarioFile.load(path), options: options, logger: Logger(label: "test")).run()
    }
}
