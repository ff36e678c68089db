import Foundation
import GRDB
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// A real ccengine stopped and restarted as an operator would (SIGTERM, kill -9): every accepted
/// call ends with exactly one row, the engine's faults are never blamed on a party, and agents'
/// registrations and releases survive the restart.
@Suite(.serialized) struct ShutdownAndRestartTests {
    static func config(port: Int, rtp: String) -> String {
        """
        sip: {address: 127.0.0.1:\(port), require_auth: false}
        media: {rtp_ports: \(rtp)}
        shutdown: {grace: 1, retry_after: 7}
        queues: [{name: support}]
        agents: [{login: alice}, {login: bob}]
        """
    }

    /// The engine, answering OPTIONS (bounded poll).
    static func start(_ dir: String, port: Int, rtp: String, config yaml: String? = nil) throws -> EngineProcess {
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: yaml ?? config(port: port, rtp: rtp), directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        let probe = RawUDP()
        guard FloodEndToEndTests.answersOptions(probe, port: port, tries: 50) else {
            engine.stop()
            throw SimulationError.engineStart("engine did not answer OPTIONS; see \(engine.logPath)")
        }
        return engine
    }

    /// Waits (bounded poll, 5 s) until the engine's log contains `text`.
    static func waitForLog(_ engine: EngineProcess, _ text: String) {
        for _ in 0..<250 where !((try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? "").contains(text) { usleep(20_000) }
    }

    static func rows(_ engine: EngineProcess) throws -> [CallRecordStore.Row] {
        try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent).all()
    }

    /// A customer call to `queue` answered by `agent` and ACKed; returns the INVITE and our 200.
    static func bridge(_ customer: RawPhone, _ agent: RawPhone, callID: String, queue: String = "support") throws -> (SIPMessage, SIPMessage) {
        let invite = customer.invite(queue, callID: callID)
        let ring = try #require(agent.anyRequest("INVITE"), "agent never rung for \(callID)")
        agent.respond(200, to: ring)
        _ = agent.request("ACK", ring.callID)
        let ok = try #require(customer.finalResponse(callID, method: "INVITE"))
        #expect(ok.status == 200)
        _ = customer.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        return (invite, ok)
    }

    @Test func sigtermDrainsThenEndsWaitingAndBridgedCallsWithOneRowEach() throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("sigterm")
        let engine = try Self.start(dir, port: port, rtp: "26000-26099")
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let bridged = RawPhone("carol", engine: port)
        let waiting = RawPhone("dave", engine: port)
        _ = try Self.bridge(bridged, alice, callID: "bridged-1")
        _ = waiting.invite("support", callID: "waiting-1")  // alice is busy: it waits in the queue
        #expect(waiting.receive { $0.status == 100 && $0.callID == "waiting-1" } != nil)

        kill(engine.process.processIdentifier, SIGTERM)
        Self.waitForLog(engine, "draining:")
        // Draining: a new caller is refused at once with Retry-After.
        let late = RawPhone("erin", engine: port)
        _ = late.invite("support", callID: "late-1")
        let refused = try #require(late.finalResponse("late-1", method: "INVITE"))
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "7")
        // After the grace period (1 s): both parties of the bridged call get BYE, the waiting caller 503.
        let byeCaller = try #require(bridged.request("BYE", "bridged-1"))
        bridged.respond(200, to: byeCaller)
        let byeAgent = try #require(alice.anyRequest("BYE"))
        alice.respond(200, to: byeAgent)
        let ended = try #require(waiting.finalResponse("waiting-1", method: "INVITE"))
        #expect(ended.status == 503)
        #expect(ended.header("Retry-After") == "7")
        engine.process.waitUntilExit()
        #expect(engine.process.terminationStatus == 0)

        let rows = try Self.rows(engine)
        #expect(rows.map(\.callID).sorted() == ["bridged-1", "waiting-1"])
        #expect(rows.allSatisfy { $0.endReason == "engine-shutdown" })
        #expect(rows.first { $0.callID == "bridged-1" }?.disposition == "answered")
        #expect(rows.first { $0.callID == "waiting-1" }?.disposition == "failed")
    }

    /// A second SIGTERM does not wait for the grace period (30 s here): the bridged call's parties
    /// get BYE, a ringing agent CANCEL, its caller 503 with Retry-After, one `engine-shutdown` row each.
    @Test func aSecondSIGTERMEndsEverythingAtOnceAndCancelsARingingAgent() throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("sigterm-twice")
        let config = """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: 32400-32499}
            shutdown: {grace: 30, retry_after: 7}
            queues: [{name: support}]
            agents: [{login: alice}, {login: bob}]
            """
        let engine = try Self.start(dir, port: port, rtp: "32400-32499", config: config)
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port), bob = RawPhone("bob", engine: port)
        #expect(alice.register())
        let carol = RawPhone("carol", engine: port)
        _ = try Self.bridge(carol, alice, callID: "bridged-2")
        #expect(bob.register())
        let dave = RawPhone("dave", engine: port)
        _ = dave.invite("support", callID: "ringing-2")
        let ring = try #require(bob.anyRequest("INVITE"), "bob was not rung")
        bob.respond(180, to: ring)

        kill(engine.process.processIdentifier, SIGTERM)
        Self.waitForLog(engine, "draining:")
        kill(engine.process.processIdentifier, SIGTERM)
        let cancel = try #require(bob.request("CANCEL", ring.callID), "the ringing agent got no CANCEL")
        bob.respond(200, to: cancel)
        bob.respond(487, to: ring)
        let refused = try #require(dave.finalResponse("ringing-2", method: "INVITE"))
        #expect(refused.status == 503 && refused.header("Retry-After") == "7", "\(refused.status ?? 0)")
        let byeCaller = try #require(carol.request("BYE", "bridged-2"))
        carol.respond(200, to: byeCaller)
        let byeAgent = try #require(alice.anyRequest("BYE"))
        alice.respond(200, to: byeAgent)
        #expect(E2E.until(seconds: 15) { !engine.isRunning }, "the second SIGTERM did not stop the engine before the grace period")

        let rows = try Self.rows(engine)
        #expect(rows.map(\.callID).sorted() == ["bridged-2", "ringing-2"])
        #expect(rows.allSatisfy { $0.endReason == "engine-shutdown" }, "\(rows.map(\.endReason))")
        #expect(rows.first { $0.callID == "bridged-2" }?.disposition == "answered")
        #expect(rows.first { $0.callID == "ringing-2" }?.disposition == "failed")
    }

    @Test func killNineClosesCallsInProgressAsInterruptedAtTheNextStart() throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("kill9")
        var engine = try Self.start(dir, port: port, rtp: "26100-26199")
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        // One call completed (BYE answered), then one bridged and one waiting when the engine dies.
        let first = RawPhone("carol", engine: port)
        let (invite, ok) = try Self.bridge(first, alice, callID: "done-1")
        _ = first.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(first.finalResponse("done-1", method: "BYE")?.status == 200)
        _ = try Self.bridge(RawPhone("dave", engine: port), alice, callID: "up-1")
        let waiting = RawPhone("erin", engine: port)
        _ = waiting.invite("support", callID: "queued-1")
        #expect(waiting.receive { $0.status == 100 && $0.callID == "queued-1" } != nil)
        // The queued call's row is opened within the writer's 20 ms batch: wait for it to be on disk.
        for _ in 0..<100 where (try? Self.rows(engine).count) ?? 0 < 3 { usleep(20_000) }

        kill(engine.process.processIdentifier, SIGKILL)
        engine.process.waitUntilExit()
        engine = try Self.start(dir, port: port, rtp: "26100-26199")
        let rows = try Self.rows(engine)
        #expect(rows.count == 3)
        #expect(rows.first { $0.callID == "done-1" }.map { ($0.disposition, $0.endReason) } ?? ("", "") == ("answered", "caller-hangup"))
        for id in ["up-1", "queued-1"] {
            let row = rows.first { $0.callID == id }
            #expect(row?.disposition == "interrupted", "\(id)")
            #expect(row?.endReason == "interrupted", "\(id)")
            #expect((row?.endedAt ?? 0) >= (row?.enqueuedAt ?? 1), "\(id)")
        }
        #expect(!rows.contains { $0.disposition == "pending" })
        let integrity = try DatabaseQueue(path: engine.recordsPath).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
    }

    /// The engine for the kill test: ccsim's agents take queue `support`; alice alone has the
    /// skill of queue `tracked`, whose calls the test drives by hand.
    static func loadConfig(port: Int, rtp: String) -> String {
        """
        sip: {address: 127.0.0.1:\(port), require_auth: false}
        media: {rtp_ports: \(rtp)}
        routing: {ring_timeout: 10s, wrap_up: 0s}
        queues: [{name: support, skills: [general]}, {name: tracked, skills: [tracked]}]
        agents: [{login: alice, skills: [tracked]}\((1...6).map { ", {login: sim\($0), skills: [general]}" }.joined())]
        """
    }

    /// `kill -9` under a ccsim load, right after the 200 OK to a hang-up (no pause: a row still
    /// in the writer's batch would be lost): the restarted engine has that call's row as answered
    /// with the right party blamed, every call that was in progress closed as `interrupted`, no
    /// row pending, and an intact database. Once with the caller hanging up last, once the agent
    /// (the 200 to an agent's BYE waits for the row too).
    @Test(arguments: ["caller", "agent"])
    func killNineUnderLoadRightAfterAHangUpKeepsThatCallsRow(lastHangUp: String) throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("kill9-load")
        let rtp = lastHangUp == "caller" ? "31400-31799" : "31800-32199"
        let config = Self.loadConfig(port: port, rtp: rtp)
        var engine = try Self.start(dir, port: port, rtp: rtp, config: config)
        defer { engine.stop() }
        // The load: six ccsim agents, callers at 40/s holding 1 s, real RTP through the relay.
        let indented = config.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        try """
            name: kill9-load
            duration: 60s
            engine:
            \(indented)
            agents: [{logins: [\((1...6).map { "sim\($0)" }.joined(separator: ", "))], answer_delay: 0.1s}]
            customers: [{queue: support, calls: 2000, arrival: {every: 0.025s}, hold_time: 1s}]
            """.write(toFile: dir + "/load.yaml", atomically: true, encoding: .utf8)
        let load = try E2E.background(VerdictModesTests.ccsimBinary, ["run", dir + "/load.yaml", "--engine", "127.0.0.1:\(port)",
                                                                       "--report", dir + "/load-report"], cwd: dir)
        defer { E2E.stop(load) }
        #expect(E2E.until(seconds: 20) { ((try? Self.rows(engine).count) ?? 0) >= 40 }, "the ccsim load never reached the engine")

        // Calls on queue `tracked`, hung up alternately; the last by `lastHangUp`, then kill -9 at once.
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        var expected: [String: String] = [:]
        let sides = lastHangUp == "caller" ? ["agent", "caller"] : ["caller", "agent"]
        for (i, side) in sides.enumerated() {
            let id = "tracked-\(lastHangUp)-\(i)"
            let customer = RawPhone("cust\(i)", engine: port)
            let invite = customer.invite("tracked", callID: id)
            let ring = try #require(alice.receive { $0.method == "INVITE" && $0.header("X-CC-Call") == id }, "alice never rung for \(id)")
            alice.respond(200, to: ring)
            _ = alice.request("ACK", ring.callID)
            let ok = try #require(customer.finalResponse(id, method: "INVITE"))
            try #require(ok.status == 200)
            _ = customer.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
            if side == "caller" {
                _ = customer.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
                if let bye = alice.request("BYE", ring.callID) { alice.respond(200, to: bye) }
                try #require(customer.finalResponse(id, method: "BYE")?.status == 200)
                expected[id] = "caller-hangup"
            } else {
                _ = alice.hangUp(ring)
                if let bye = customer.request("BYE", id) { customer.respond(200, to: bye) }
                try #require(alice.finalResponse(ring.callID, method: "BYE")?.status == 200)
                expected[id] = "agent-hangup"
            }
        }
        kill(engine.process.processIdentifier, SIGKILL)
        engine.process.waitUntilExit()
        E2E.stop(load)
        engine = try Self.start(dir, port: port, rtp: rtp, config: config)

        let rows = try Self.rows(engine)
        for (id, reason) in expected {
            let row = rows.first { $0.callID == id }
            #expect(row?.disposition == "answered" && row?.endReason == reason, "\(id): \(String(describing: row))")
        }
        #expect(!rows.contains { $0.disposition == "pending" })
        let interrupted = rows.filter { $0.disposition == "interrupted" }
        #expect(interrupted.allSatisfy { $0.endReason == "interrupted" && $0.endedAt >= $0.enqueuedAt })
        #expect(!interrupted.isEmpty, "the load had calls in progress at the kill")
        #expect(rows.count > 40)
        let integrity = try DatabaseQueue(path: engine.recordsPath).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
    }

    @Test(arguments: [SIGTERM, SIGKILL])
    func registrationsAndReleasesSurviveARestart(signal: Int32) throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("restart")
        var engine = try Self.start(dir, port: port, rtp: signal == SIGTERM ? "26200-26299" : "26300-26399")
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port)
        let bob = RawPhone("bob", engine: port)
        #expect(alice.register())
        #expect(bob.register())
        #expect(bob.control("release lunch Lunch break") == 200)
        // Kept as it changes (the writer's 20 ms batch): wait until it is on disk.
        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        for _ in 0..<100 where ((try? store.releases().count) ?? 0) < 1 || ((try? store.bindings().count) ?? 0) < 2 { usleep(20_000) }
        #expect(try store.releases().map(\.agent) == ["bob"])
        #expect(try store.releases().first?.label == "Lunch break")
        kill(engine.process.processIdentifier, signal)
        engine.process.waitUntilExit()
        engine = try Self.start(dir, port: port, rtp: signal == SIGTERM ? "26200-26299" : "26300-26399")

        // No new REGISTER: the engine rings alice from what it kept. She refuses (486); bob is
        // released, so he is never rung, and the call comes back to alice.
        let customer = RawPhone("carol", engine: port)
        _ = customer.invite("support", callID: "after-restart")
        let ring = try #require(alice.anyRequest("INVITE"), "alice was not rung after the restart")
        #expect(ring.header("X-CC-Call") == "after-restart")
        alice.respond(486, to: ring)
        #expect(bob.anyRequest("INVITE", timeout: 1.5) == nil, "bob is released and must not be rung")
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("registrations kept from the last run"))
    }

    /// An agent in wrap-up when the engine stops goes back to it after the restart until it would
    /// have ended: the next caller rings the other agent, not her, with no new REGISTER.
    @Test(arguments: [SIGTERM, SIGKILL])
    func wrapUpSurvivesARestart(signal: Int32) throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("restart-wrapup")
        let rtp = signal == SIGTERM ? "32200-32299" : "32300-32399"
        let config = """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: \(rtp)}
            shutdown: {grace: 0}
            routing: {wrap_up: 60s}
            queues: [{name: support}]
            agents: [{login: alice}, {login: bob}]
            """
        var engine = try Self.start(dir, port: port, rtp: rtp, config: config)
        defer { engine.stop() }
        // alice alone takes a call; once it ends she is in wrap-up for 60 s; then bob logs in.
        let alice = RawPhone("alice", engine: port), bob = RawPhone("bob", engine: port)
        #expect(alice.register())
        let carol = RawPhone("carol", engine: port)
        let (invite, ok) = try Self.bridge(carol, alice, callID: "before")
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(carol.finalResponse("before", method: "BYE")?.status == 200)
        #expect(bob.register())
        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        #expect(E2E.until(seconds: 5) { (try? store.wrapUps()["alice"]) != nil }, "alice's wrap-up was not kept")
        kill(engine.process.processIdentifier, signal)
        engine.process.waitUntilExit()
        engine = try Self.start(dir, port: port, rtp: rtp, config: config)
        try Self.nextCallRings(bob, notRinging: alice, "alice is still in wrap-up and must not be rung", port: port)
    }

    /// After a restart, with no new REGISTER: a new customer's call rings `agent`, never `other`.
    static func nextCallRings(_ agent: RawPhone, notRinging other: RawPhone, _ why: Comment, port: Int) throws {
        let dave = RawPhone("dave", engine: port)
        _ = dave.invite("support", callID: "after-restart")
        let ring = try #require(agent.anyRequest("INVITE"), "the agent was not rung after the restart")
        #expect(ring.header("X-CC-Call") == "after-restart")
        #expect(other.anyRequest("INVITE", timeout: 1.5) == nil, why)
        agent.respond(486, to: ring)
    }

    /// A break an agent asks for during a call is kept as it is asked for: a crash ends the call
    /// (recorded `interrupted`), and after the restart she is released with that reason rather
    /// than rung for the next caller, with no new REGISTER.
    @Test func aBreakAskedForDuringACallSurvivesAKillNine() throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("restart-pending-release")
        let rtp = "33500-33599"
        var engine = try Self.start(dir, port: port, rtp: rtp)
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port), bob = RawPhone("bob", engine: port)
        #expect(alice.register())
        let carol = RawPhone("carol", engine: port)
        _ = try Self.bridge(carol, alice, callID: "before")
        #expect(alice.control("release lunch Lunch break") == 200)
        #expect(bob.register())
        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        #expect(E2E.until(seconds: 5) { (try? store.releases().map(\.agent)) == ["alice"] }, "alice's pending break was not kept")
        kill(engine.process.processIdentifier, SIGKILL)
        engine.process.waitUntilExit()
        engine = try Self.start(dir, port: port, rtp: rtp)
        try Self.nextCallRings(bob, notRinging: alice, "alice asked for a break and must not be rung", port: port)
        let rows = try Self.rows(engine)
        #expect(rows.first { $0.callID == "before" }?.endReason == "interrupted", "\(rows)")
        #expect(try store.releases().first { $0.agent == "alice" }?.label == "Lunch break")
    }

    @Test func drainAndResumeOnCommandWithoutStopping() throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("drain")
        let engine = try Self.start(dir, port: port, rtp: "26600-26699")
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let caller = RawPhone("carol", engine: port)
        let (invite, ok) = try Self.bridge(caller, alice, callID: "kept-1")
        let control = ["--config", dir + "/engine.yaml", "--state", dir + "/engine-state"]

        let drain = try E2E.run(E2E.engineBinary, ["drain"] + control, timeout: 20)
        #expect(drain.status == 0, "\(drain.output)")
        #expect(drain.output.contains("draining") && drain.output.contains("1 calls in progress"), "\(drain.output)")
        Self.waitForLog(engine, "draining:")
        let refused = RawPhone("dave", engine: port)
        _ = refused.invite("support", callID: "refused-1")
        #expect(refused.finalResponse("refused-1", method: "INVITE")?.status == 503)
        // Still one call in progress: --wait gives up after 1 s.
        let busy = try E2E.run(E2E.engineBinary, ["drain"] + control + ["--wait", "1"], timeout: 20)
        #expect(busy.status == 1, "\(busy.output)")
        // The call in progress goes on and ends normally; then the node is drained.
        _ = caller.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(caller.finalResponse("kept-1", method: "BYE")?.status == 200)
        let drained = try E2E.run(E2E.engineBinary, ["drain"] + control + ["--wait", "10"], timeout: 20)
        #expect(drained.status == 0 && drained.output.contains("drained: no call in progress"), "\(drained.output)")
        #expect(engine.isRunning)

        let resume = try E2E.run(E2E.engineBinary, ["resume"] + control, timeout: 20)
        #expect(resume.status == 0, "\(resume.output)")
        Self.waitForLog(engine, "resumed:")
        _ = caller.invite("support", callID: "after-resume")
        let ring = try #require(alice.anyRequest("INVITE"), "alice was not rung after ccengine resume")
        #expect(ring.header("X-CC-Call") == "after-resume")
        let rows = try Self.rows(engine)
        #expect(rows.first { $0.callID == "kept-1" }?.endReason == "caller-hangup")
        #expect(!rows.contains { $0.callID == "refused-1" })  // refused before acceptance: no row
    }
}
