import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// What the engine's own faults do to a call, in the pure core: the caller gets 503 with
/// Retry-After (never 487, which means the caller cancelled), and the record names the cause.
struct EngineFaultTests {
    var core: B2BUA
    var now: Duration = .zero

    init(ports: ClosedRange<Int> = 20000...20099) throws {
        let routing = CallCenterConfig(
            ringTimeout: .seconds(10), callsRequireNode: false, defaultRecipe: [],
            queues: [QueueConfig(name: "support")], agents: [AgentConfig(login: "alice"), AgentConfig(login: "bob")])
        core = B2BUA(
            settings: .init(sip: TestPhones.engine, mediaHost: "127.0.0.1", rtpPorts: ports, retryAfter: 17),
            center: try CallCenter(config: routing), agents: ["alice", "bob"], queues: ["support"], seed: 42)
    }

    mutating func feed(_ event: B2BUAEvent) -> [B2BUAAction] {
        now += .milliseconds(10)
        return core.handle(event, now: now)
    }

    mutating func feed(_ m: SIPMessage, from: Endpoint) -> [B2BUAAction] { feed(.received(m, from: from)) }

    /// A call bridged to alice; returns the customer's INVITE, our 200 and the agent's INVITE.
    mutating func bridgedCall(_ id: String = "call-1") throws -> (SIPMessage, SIPMessage, SIPMessage) {
        let invite = TestPhones.invite(callID: id)
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        let ok = try #require(feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice).sentResponses(200).first)
        _ = feed(TestPhones.inDialog("ACK", after: invite, toTag: ok.to.tag!, cseq: 1), from: TestPhones.customer)
        return (invite, ok, agentInvite)
    }

    mutating func register(_ login: String, from: Endpoint) {
        #expect(feed(TestPhones.register(login, from: from), from: from).sentResponses(200).count == 1)
    }

    @Test mutating func relayBindFailureIs503AndRecordedAsTheEngines() throws {
        register("alice", from: TestPhones.alice)
        _ = feed(TestPhones.invite(), from: TestPhones.customer)
        let out = feed(.mediaFailed("call-1", reason: "bind to port 20000: Address already in use"))
        let refusal = try #require(out.sentResponses(503).first)
        #expect(refusal.header("Retry-After") == "17")
        #expect(out.sentResponses(487).isEmpty)
        #expect(out.sentRequests("CANCEL").isEmpty || true)  // the agent leg is cancelled once it rings
        #expect(out.records.map(\.disposition) == [.failed])
        #expect(out.records.map(\.endReason) == [.mediaBindFailed])
        // The pair the relay could not bind is set aside, not handed out again.
        #expect(!out.contains { if case .closeMedia = $0 { true } else { false } })
    }

    @Test mutating func noFreePortsIs503WithRetryAfterAndARecord() throws {
        // Three legs: the first call takes two, the third is kept for bob's side (he may log in).
        self = try EngineFaultTests(ports: 20000...20005)
        register("alice", from: TestPhones.alice)
        _ = feed(TestPhones.invite(callID: "first"), from: TestPhones.customer)
        let out = feed(TestPhones.invite(callID: "second"), from: TestPhones.customer)
        let refusal = try #require(out.sentResponses(503).first)
        #expect(refusal.header("Retry-After") == "17")
        #expect(out.records.map(\.endReason) == [.mediaPortsExhausted])
        #expect(out.records.map(\.disposition) == [.failed])
        #expect(core.activeCalls == 1)
    }

    @Test mutating func portsComeBackOnlyOnceTheRelayClosedThem() throws {
        self = try EngineFaultTests(ports: 20000...20005)
        register("alice", from: TestPhones.alice)
        let (invite, ok, _) = try bridgedCall()
        let bye = feed(TestPhones.inDialog("BYE", after: invite, toTag: ok.to.tag!), from: TestPhones.customer)
        #expect(bye.contains(.closeMedia("call-1", ports: [20000, 20002])))
        // Not closed yet: the next caller is refused rather than given a port still bound.
        #expect(feed(TestPhones.invite(callID: "next"), from: TestPhones.customer).sentResponses(503).count == 1)
        _ = feed(.mediaClosed(ports: [20000, 20002]))
        let again = feed(TestPhones.invite(callID: "later"), from: TestPhones.customer)
        #expect(again.contains(.openMedia("later", .caller, port: 20004)) && again.contains(.openMedia("later", .agent, port: 20000)))
    }

    /// A waiting caller holds its own side's port only, and a port is kept for the agent side of
    /// each agent who holds none: four legs and two agents take two waiting callers; each takes
    /// its agent side's port when its agent is rung.
    @Test mutating func aWaitingCallHoldsOnlyItsCallersPort() throws {
        self = try EngineFaultTests(ports: 20000...20007)
        for n in 1...2 {
            let out = feed(TestPhones.invite(callID: "w\(n)"), from: TestPhones.customer)
            #expect(out.sentResponses(100).count == 1 && out.contains(.openMedia("w\(n)", .caller, port: 20000 + 2 * (n - 1))))
            #expect(!out.contains { if case .openMedia(_, .agent, _) = $0 { true } else { false } })
        }
        let third = feed(TestPhones.invite(callID: "w3"), from: TestPhones.customer)
        #expect(third.sentResponses(503).count == 1 && third.records.map(\.endReason) == [.mediaPortsExhausted])
        let alice = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
        #expect(alice.contains(.openMedia("w1", .agent, port: 20004)) && alice.sentRequests("INVITE").count == 1)
        let bob = feed(TestPhones.register("bob", from: TestPhones.bob), from: TestPhones.bob)
        #expect(bob.contains(.openMedia("w2", .agent, port: 20006)) && bob.sentRequests("INVITE").count == 1)
        let ringing = try #require(bob.sentRequests("INVITE").first)
        #expect(try SessionDescription.parse(ringing.body).audio?.port == 20006)
    }

    /// Every relay port in use (both agents bridged, the rest held by waiting callers): when a call
    /// ends, its agent is free before the relay has closed its ports. The next waiting call's ring
    /// waits for a port to come back; no waiting call fails. (Failing the ring made the freed
    /// agent take the next waiting call, which failed too, each from inside the last: ~3,900
    /// waiting calls overflowed the SIP thread's stack under `ccbench calls --overload`.)
    @Test mutating func aRingWaitsForAClosingPortAndNoWaitingCallFails() throws {
        let waiting = 2_000
        self = try EngineFaultTests(ports: 20000...(20000 + 2 * (4 + waiting) - 1))
        register("alice", from: TestPhones.alice)
        let (invite, ok, _) = try bridgedCall("first")
        register("bob", from: TestPhones.bob)
        let bobInvite = try #require(feed(TestPhones.invite(callID: "second"), from: TestPhones.customer).sentRequests("INVITE").first)
        #expect(bobInvite.header("X-CC-Call") == "second")
        _ = feed(TestPhones.agentResponse(200, to: bobInvite), from: TestPhones.bob)
        for n in 1...waiting {
            let out = feed(TestPhones.invite(callID: "w\(n)"), from: TestPhones.customer)
            #expect(out.sentResponses(503).isEmpty)
        }
        #expect(feed(TestPhones.invite(callID: "one-too-many"), from: TestPhones.customer).sentResponses(503).count == 1)
        let bye = feed(TestPhones.inDialog("BYE", after: invite, toTag: ok.to.tag!), from: TestPhones.customer)
        #expect(bye.records.count == 1 && bye.records.first?.callID == "first", "\(bye.records.count - 1) waiting calls ended")
        #expect(bye.sentResponses(503).isEmpty && bye.sentRequests("INVITE").isEmpty)
        let closing = try #require(bye.compactMap { if case .closeMedia("first", let p) = $0 { p } else { nil } }.first)
        #expect(core.activeCalls == 1 + waiting)
        // The relay closed the first call's ports: alice is rung for the longest waiter.
        let closed = feed(.mediaClosed(ports: closing))
        let ring = try #require(closed.sentRequests("INVITE").first)
        #expect(ring.header("X-CC-Call") == "w1")
        #expect(closed.contains { if case .openMedia("w1", .agent, let p) = $0 { closing.contains(p) } else { false } })
        #expect(closed.records.isEmpty)
    }

    @Test mutating func anUnbindablePortIsSkippedAndLoggedOnce() {
        var out = feed(.start(.empty))
        #expect(out.contains(.prepareMedia(ports: [20000, 20002])))
        out = feed(.mediaPortUnavailable(port: 20000, reason: "bind to port 20000: Address already in use"))
        #expect(out.contains(.prepareMedia(ports: [20002, 20004])))
        #expect(out.contains { if case .log(.warning, let text, _) = $0 { text.contains("20000") } else { false } })
        let call = feed(TestPhones.invite(), from: TestPhones.customer)
        #expect(call.contains(.openMedia("call-1", .caller, port: 20002)))
    }

    @Test mutating func drainingRefusesNewCallsAndKeepsTheOnesInProgress() throws {
        register("alice", from: TestPhones.alice)
        let (invite, ok, _) = try bridgedCall()
        _ = feed(.drain)
        let refused = feed(TestPhones.invite(callID: "late"), from: TestPhones.customer)
        #expect(refused.sentResponses(503).first?.header("Retry-After") == "17")
        #expect(refused.records.isEmpty)  // never accepted: no row
        #expect(core.activeCalls == 1)
        let bye = feed(TestPhones.inDialog("BYE", after: invite, toTag: ok.to.tag!), from: TestPhones.customer)
        #expect(bye.records.map(\.endReason) == [.callerHangUp])
    }

    @Test mutating func endingAllCallsHangsUpBothSidesAndRecordsEngineShutdown() throws {
        register("alice", from: TestPhones.alice)
        _ = try bridgedCall()
        _ = feed(TestPhones.invite(callID: "waiting"), from: TestPhones.customer)  // alice is busy: it waits
        let out = feed(.endAllCalls)
        #expect(out.sentRequests("BYE").count == 2)  // caller and agent of the bridged call
        #expect(out.sentResponses(503).map(\.callID) == ["waiting"])
        #expect(out.sentResponses(487).isEmpty)
        #expect(Set(out.records.map(\.callID)) == ["call-1", "waiting"])
        #expect(out.records.allSatisfy { $0.endReason == .engineShutdown })
        #expect(out.records.first { $0.callID == "call-1" }?.disposition == .answered)
        #expect(out.records.first { $0.callID == "waiting" }?.disposition == .failed)
    }

    @Test mutating func overloadRefusesNewCallsStatelesslyAndKeepsServingTheAdmittedOnes() throws {
        // Through the whole pure stack: shedding happens before the transaction layer.
        register("alice", from: TestPhones.alice)
        var stack = SIPStack(core: core)
        func send(_ e: EngineEvent) -> [EngineAction] { now += .milliseconds(10); return stack.handle(e, now: now) }
        let invite = TestPhones.invite(callID: "kept")
        let agentInvite = try #require(send(.received(invite, from: TestPhones.customer)).sentRequests("INVITE").first)
        let ok = try #require(send(.received(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice)).sentResponses(200).first)
        // One late wake-up is not overload; the limit exceeded three reports in a row is.
        var out = send(.load(.init(loopLag: .milliseconds(160), transactions: 10)))
        #expect(out.isEmpty)
        _ = send(.load(.init(loopLag: .milliseconds(1), transactions: 10)))
        let admitted = send(.received(TestPhones.invite(callID: "after-spike"), from: TestPhones.customer))
        #expect(admitted.sentResponses(503).isEmpty)
        // Datagrams waiting in the socket (the backlog the loop's lag misses) count as much.
        _ = send(.load(.init(loopLag: .milliseconds(10), transactions: 10, queuedBytes: 600 * 1024)))
        _ = send(.load(.init(loopLag: .milliseconds(80), transactions: 10)))
        out = send(.load(.init(loopLag: .milliseconds(10), transactions: 10, queuedBytes: 700 * 1024)))
        #expect(out.contains { if case .log(.warning, let t, _) = $0 { t.hasPrefix("overload: admitting 10 new calls/s") } else { false } })
        let transactions = stack.transactionCount
        out = send(.received(TestPhones.invite(callID: "shed"), from: TestPhones.customer))
        #expect(out.sentResponses(503).first?.header("Retry-After") == "17")
        #expect(out.sentResponses(503).first?.to.tag != nil)
        #expect(out.records.isEmpty)  // refused before it entered the engine: no row
        #expect(out.sentResponses(100).isEmpty && !out.contains { if case .openMedia = $0 { true } else { false } })
        #expect(stack.transactionCount == transactions)  // nothing kept for it
        // Half the limit is not calm enough (hysteresis).
        let notCalm = send(.load(.init(loopLag: .milliseconds(40), transactions: 10)))
        #expect(notCalm.isEmpty)
        let stillShed = send(.received(TestPhones.invite(callID: "still-shed"), from: TestPhones.customer))
        #expect(stillShed.sentResponses(503).count == 1)
        // The admitted call is served as usual meanwhile.
        _ = send(.received(TestPhones.inDialog("ACK", after: invite, toTag: ok.to.tag!, cseq: 1), from: TestPhones.customer))
        let bye = send(.received(TestPhones.inDialog("BYE", after: invite, toTag: ok.to.tag!), from: TestPhones.customer))
        #expect(bye.records.map(\.endReason) == [.callerHangUp])
        // A second of calm with nothing refused ends it.
        var ended: [EngineAction] = []
        for _ in 0...OverloadControl.calmToEnd { ended += send(.load(.init(loopLag: .milliseconds(5), transactions: 10))) }
        #expect(ended.contains { if case .log(_, let t, _) = $0 { t.contains("2 refused while shedding") } else { false } })
        let welcome = send(.received(TestPhones.invite(callID: "welcome"), from: TestPhones.customer))
        #expect(welcome.contains { if case .openMedia("welcome", _, _) = $0 { true } else { false } })
    }

    @Test mutating func anUnackedAnswerIsRecordedAsNoAck() throws {
        register("alice", from: TestPhones.alice)
        let invite = TestPhones.invite()
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        _ = feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice)
        let out = feed(.ackTimedOut("call-1"))
        #expect(out.records.map(\.endReason) == [.noAck])
        #expect(out.sentRequests("BYE").count == 2)
    }

    @Test mutating func acceptedCallsOpenTheirRowFirst() throws {
        let out = feed(TestPhones.invite(), from: TestPhones.customer)
        let opened = out.compactMap { if case .openRecord(let a) = $0 { a } else { nil } }
        #expect(opened.map(\.callID) == ["call-1"])
        #expect(opened.first?.queue == "support")
        // Refused before acceptance: no row at all.
        #expect(!feed(TestPhones.invite(queue: "nosuch", callID: "x"), from: TestPhones.customer)
            .contains { if case .openRecord = $0 { true } else { false } })
    }

    @Test mutating func registrationsAndReleasesComeBackAfterARestart() throws {
        register("alice", from: TestPhones.alice)
        register("bob", from: TestPhones.bob)
        var saved = DurableState()
        for login in ["alice", "bob"] { saved.bindings[login] = core.registrar.bindings(of: login) }
        let release = ReleaseReason(id: "lunch", label: "Lunch")
        let out = feed(.received(TestPhones.message("release lunch Lunch", from: "bob"), from: TestPhones.bob))
        #expect(out.contains(.saveRelease("bob", release)))
        #expect(core.center.agentState("bob") == .released(release))
        saved.released["bob"] = release

        // A fresh core (the engine restarted), the same clock origin as the saved times.
        var restarted = try EngineFaultTests()
        restarted.now = now
        _ = restarted.feed(.start(saved))
        #expect(restarted.core.center.agentState("alice") == .available)
        #expect(restarted.core.center.agentState("bob") == .released(release))
        let ring = restarted.feed(TestPhones.invite(), from: TestPhones.customer)
        #expect(ring.sent.first { $0.0.method == "INVITE" }?.1 == TestPhones.alice)
    }

    /// Rows a restart cannot apply are deleted, so they cannot come back at a later restart: the
    /// wrap-up of an agent who asked for a break during it (she comes back released), and the
    /// break and wrap-up of an agent whose registration expired meanwhile (logged out).
    @Test mutating func aRestartDeletesTheWrapUpOfAReleasedAgentAndTheStateOfAnExpiredOne() throws {
        register("alice", from: TestPhones.alice)
        register("bob", from: TestPhones.bob)
        let release = ReleaseReason(id: "lunch", label: "Lunch")
        var saved = DurableState(bindings: ["alice": core.registrar.bindings(of: "alice")])
        saved.released = ["alice": release, "bob": release]
        saved.wrapUps = ["alice": now + .seconds(60), "bob": now + .seconds(60)]
        var restarted = try EngineFaultTests()
        restarted.now = now
        let out = restarted.feed(.start(saved))
        #expect(restarted.core.center.agentState("alice") == .released(release))
        #expect(out.contains(.saveWrapUp("alice", until: nil)), "alice's wrap-up row is deleted")
        #expect(!out.contains(.saveRelease("alice", nil)))
        #expect(restarted.core.center.agentState("bob") == .offline)
        #expect(out.contains(.saveRelease("bob", nil)) && out.contains(.saveWrapUp("bob", until: nil)), "bob's rows are deleted")
    }

    @Test mutating func expiredBindingsAreNotRestored() throws {
        register("alice", from: TestPhones.alice)
        let saved = DurableState(bindings: ["alice": core.registrar.bindings(of: "alice")])
        var restarted = try EngineFaultTests()
        restarted.now = now + .seconds(7200)
        _ = restarted.feed(.start(saved))
        #expect(restarted.core.center.agentState("alice") == .offline)
    }
}

extension TestPhones {
    /// An agent-control MESSAGE (text/plain) from the agent's address of record.
    static func message(_ text: String, from login: String) -> SIPMessage {
        var from = NameAddress(uri: SIPURI(user: login, host: "127.0.0.1", port: 5060))
        from.tag = "msg-\(login)"
        return SIPMessage(
            startLine: .request(method: "MESSAGE", uri: SIPURI(host: "127.0.0.1", port: 5060)),
            via: [Via(host: "127.0.0.1", port: bob.port, branch: "z9hG4bK-msg-\(login)")], from: from,
            to: NameAddress(uri: SIPURI(host: "127.0.0.1", port: 5060)),
            callID: "msg-\(login)@test", cseq: CSeq(1, "MESSAGE"), contentType: "text/plain", body: Array(text.utf8))
    }
}
