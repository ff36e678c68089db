import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The one way into the core from outside SIP signalling, on the pure B2BUA with a manual clock:
/// a command is checked against the agent's or call's state (a refusal changes nothing), and what
/// it does shows in snapshots and in the operations events (queue_log, API events).
struct ControlCommandTests {
    var core: B2BUA
    var now: Duration = .zero

    init() throws {
        core = try TestPhones.core(wrapUp: .seconds(30), seed: 42)
    }

    mutating func feed(_ m: SIPMessage, from: Endpoint) -> [B2BUAAction] {
        now += .milliseconds(10)
        return core.handle(.received(m, from: from), now: now)
    }

    mutating func control(_ c: ControlCommand) -> (ControlOutcome?, [B2BUAAction]) {
        now += .milliseconds(10)
        let out = core.handle(.control(c), now: now)
        let outcomes: [ControlOutcome] = out.compactMap { if case .controlOutcome(let o) = $0 { o } else { nil } }
        #expect(outcomes.count == 1, "exactly one outcome per command")
        return (outcomes.first, out)
    }

    static func refusal(_ o: ControlOutcome?) -> ControlRefusal? {
        if case .refused(let r) = o { r } else { nil }
    }

    static func events(_ out: [B2BUAAction]) -> [OperationsEvent.Kind] {
        out.compactMap { if case .notify(let e) = $0 { e.kind } else { nil } }
    }

    /// alice registered and answering call-1; returns the customer's INVITE, our 200, her leg's INVITE.
    mutating func bridgeAlice() throws -> (SIPMessage, SIPMessage, SIPMessage) {
        _ = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        let invite = TestPhones.invite()
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        let ok = try #require(feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice).sentResponses(200).first)
        return (invite, ok, agentInvite)
    }

    @Test mutating func releaseAndAvailableChangeWhoIsRung() throws {
        _ = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        let (outcome, out) = control(.release("alice", ReleaseReason(id: "lunch", label: "Lunch")))
        #expect(outcome == .done("released as lunch"))
        #expect(Self.events(out) == [.agentStateChanged("alice", from: .available, to: .released(ReleaseReason(id: "lunch", label: "Lunch")))])
        #expect(feed(TestPhones.invite(), from: TestPhones.customer).sentRequests("INVITE").isEmpty)
        #expect(core.snapshot(now: now).queue("support")?.waiting == ["call-1"])
        let (back, ringing) = control(.makeAvailable("alice"))
        #expect(back == .done("available"))
        #expect(ringing.sentRequests("INVITE").count == 1, "available again: rung at once")
        #expect(Self.events(ringing).contains(.callOffered("call-1", queue: "support", agent: "alice")))
    }

    @Test mutating func forbiddenTransitionsAreRefusedAndChangeNothing() throws {
        #expect(Self.refusal(control(.makeAvailable("zed")).0)?.kind == .notFound)
        #expect(Self.refusal(control(.makeAvailable("alice")).0)?.kind == .conflict, "no registered phone")
        #expect(Self.refusal(control(.release("alice", .default)).0)?.kind == .conflict, "logged out")
        #expect(Self.refusal(control(.setQueueWeight(queue: "sales", weight: 2)).0)?.field == "queue")
        #expect(Self.refusal(control(.setQueueWeight(queue: "support", weight: 0)).0)?.field == "weight")
        #expect(Self.refusal(control(.hangUp("nope")).0)?.field == "call")
        _ = try bridgeAlice()
        let (onCall, out) = control(.makeAvailable("alice"))
        #expect(Self.refusal(onCall)?.kind == .conflict)
        #expect(out.filter { if case .controlOutcome = $0 { false } else { true } }.isEmpty, "a refusal does nothing")
        #expect(Self.refusal(control(.wrapUpDone("alice", notes: "x")).0)?.field == "state")
        #expect(core.center.agentState("alice") == .onCall("call-1"))
        #expect(core.snapshot(now: now).queue("support")?.weight == 1)
    }

    @Test mutating func wrapUpNotesAreSavedWithTheCallTheyFollow() throws {
        let (invite, ok, _) = try bridgeAlice()
        _ = feed(TestPhones.inDialog("ACK", after: invite, toTag: ok.to.tag!, cseq: 1), from: TestPhones.customer)
        let ended = feed(TestPhones.inDialog("BYE", after: invite, toTag: ok.to.tag!), from: TestPhones.customer)
        #expect(core.center.agentState("alice") == .wrapUp("call-1"))
        let kinds = Self.events(ended)
        #expect(kinds.contains { if case .callEnded(let r, _, 1) = $0 { r.callID == "call-1" && r.disposition == .answered } else { false } })
        let (outcome, out) = control(.wrapUpDone("alice", notes: "refund"))
        #expect(outcome == .done("wrap-up done"))
        #expect(out.contains(.saveNotes("call-1", "refund")))
        #expect(core.center.agentState("alice") == .available)
    }

    @Test mutating func anOperatorHangUpEndsBothLegsAndIsRecordedAsSuch() throws {
        let (_, _, agentInvite) = try bridgeAlice()
        let (outcome, out) = control(.hangUp("call-1"))
        #expect(outcome == .done("call ended"))
        #expect(out.sentRequests("BYE").map(\.callID).sorted() == ["call-1", agentInvite.callID].sorted())
        #expect(out.records.map { ($0.disposition, $0.endReason) }.first.map { $0 == (.answered, .operatorHangUp) } == true)
    }

    @Test mutating func theSnapshotShowsQueuesAgentsAndCallsAsTheyStand() throws {
        _ = try bridgeAlice()
        now += .seconds(1)
        _ = feed(TestPhones.invite(callID: "call-2"), from: TestPhones.customer)
        let snap = core.snapshot(now: now)
        #expect(snap.calls.map(\.view.id) == ["call-1", "call-2"])
        #expect(snap.call("call-1")?.view.stage == .answered)
        #expect(snap.call("call-1")?.callerLeg == "answered")
        #expect(snap.call("call-2")?.view.stage == .waiting)
        #expect(snap.queue("support")?.waiting == ["call-2"])
        #expect(snap.queue("support")?.agentsByState == ["oncall": 1, "offline": 1])
        #expect(snap.queue("support")?.estimatedWait != nil)
        #expect(snap.agent("alice")?.state == .onCall("call-1"))
        #expect(snap.agent("alice")?.registered == true)
        #expect(snap.agent("bob")?.state == .offline)
    }

    @Test mutating func theSIPMessageControlGoesThroughTheSameCommands() throws {
        _ = try bridgeAlice()
        let refused = feed(TestPhones.message("available", from: "alice"), from: TestPhones.alice)
        #expect(refused.sent.first?.0.status == 403, "available while on a call, as the API refuses it")
        let pending = feed(TestPhones.message("release lunch", from: "alice"), from: TestPhones.alice)
        #expect(pending.sentResponses(200).count == 1)
        #expect(core.snapshot(now: now).agent("alice")?.pendingRelease?.id == "lunch")
    }
}
