import Testing
@testable import CallCenter

@Suite struct CallFlowTests {
    @Test func answeredCallEndsWithOneAnsweredRecord() throws {
        var center = try makeCenter(agents: [agent("alice")])
        let login = center.handle(.agentLoggedIn("alice"), now: .zero)
        #expect(login == [.agentStateChanged("alice", .available)])
        let arrival = center.arrive("c1", at: .seconds(1))
        #expect(arrival.contains(.ringAgent("c1", "alice")))
        #expect(arrival.contains(.agentStateChanged("alice", .ringing("c1"))))
        #expect(arrival.startedTimer(.ring("c1", "alice")) == .seconds(61))
        #expect(arrival.startedTimer(.recipeTick("c1")) == .seconds(11))
        #expect(center.agentState("alice") == .ringing("c1"))

        let answer = center.handle(.agentAnswered("c1", "alice"), now: .seconds(3))
        #expect(answer.contains(.bridge("c1", "alice")))
        #expect(answer.contains(.startRecording("c1")))
        #expect(answer.contains(.cancelTimer(.ring("c1", "alice"))))
        #expect(answer.contains(.cancelTimer(.recipeTick("c1"))))
        #expect(center.agentState("alice") == .onCall("c1"))

        let end = center.handle(.callerHungUp("c1"), now: .seconds(30))
        #expect(end.contains(.hangUp("c1", reason: .callerHangUp)))
        #expect(end.contains(.agentStateChanged("alice", .available)))
        let record = try #require(end.records.first)
        #expect(record.disposition == .answered)
        #expect(record.agent == "alice")
        #expect(record.enqueuedAt == .seconds(1))
        #expect(record.firstRingAt == .seconds(1))
        #expect(record.answeredAt == .seconds(3))
        #expect(record.endedAt == .seconds(30))
        #expect(record.attempts == 1)
        #expect(center.liveCallCount == 0)
    }

    @Test func agentHangUpEndsCall() throws {
        var center = try makeCenter(agents: [agent("alice")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        _ = center.handle(.agentAnswered("c1", "alice"), now: .seconds(1))
        let end = center.handle(.agentHungUp("c1"), now: .seconds(5))
        #expect(end.contains(.hangUp("c1", reason: .agentHangUp)))
        #expect(end.records.first?.endReason == .agentHangUp)
        #expect(end.records.first?.disposition == .answered)
    }

    @Test func callerHangsUpWhileQueuedIsAbandoned() throws {
        var center = try makeCenter(agents: [agent("alice")])
        center.arrive("c1", at: .zero)
        #expect(center.waitingCallCount == 1)
        let end = center.handle(.callerHungUp("c1"), now: .seconds(4))
        #expect(end.records.first?.disposition == .abandoned)
        #expect(end.contains(.cancelTimer(.recipeTick("c1"))))
        #expect(center.waitingCallCount == 0)
        // A second hang-up for the same call does nothing.
        #expect(center.handle(.callerHungUp("c1"), now: .seconds(5)).isEmpty)
    }

    @Test func callerHangsUpWhileRingingCancelsTheLeg() throws {
        var center = try makeCenter(agents: [agent("alice")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        let end = center.handle(.callerHungUp("c1"), now: .seconds(2))
        #expect(end.contains(.cancelRing("c1", "alice")))
        #expect(end.contains(.cancelTimer(.ring("c1", "alice"))))
        #expect(end.records.first?.disposition == .abandoned)
        #expect(center.agentState("alice") == .available)
    }

    @Test func wrapUpByTimerAndByRequest() throws {
        var center = try makeCenter(agents: [agent("alice")]) { $0.wrapUpTime = .seconds(20) }
        center.login("alice")
        center.arrive("c1", at: .zero)
        _ = center.handle(.agentAnswered("c1", "alice"), now: .seconds(1))
        let end = center.handle(.callerHungUp("c1"), now: .seconds(10))
        #expect(end.contains(.agentStateChanged("alice", .wrapUp("c1"))))
        #expect(end.startedTimer(.wrapUp("alice")) == .seconds(30))
        // A call arriving during wrap-up waits.
        #expect(center.arrive("c2", at: .seconds(12)).rings.isEmpty)
        let timeout = center.handle(.timerFired(.wrapUp("alice")), now: .seconds(30))
        #expect(timeout.contains(.agentStateChanged("alice", .available)))
        #expect(timeout.rings == ["c2->alice"])

        _ = center.handle(.agentAnswered("c2", "alice"), now: .seconds(31))
        _ = center.handle(.agentHungUp("c2"), now: .seconds(40))
        let done = center.handle(.wrapUpDone("alice"), now: .seconds(42))
        #expect(done.contains(.cancelTimer(.wrapUp("alice"))))
        #expect(done.contains(.agentStateChanged("alice", .available)))
        // The stale wrap-up timer is ignored.
        #expect(center.handle(.timerFired(.wrapUp("alice")), now: .seconds(60)).isEmpty)
    }

    @Test func aWrapUpResumedAfterARestartLastsUntilItsDeadline() throws {
        var center = try makeCenter(agents: [agent("alice")]) { $0.wrapUpTime = .seconds(20) }
        center.login("alice", at: .seconds(1))
        let resumed = center.handle(.agentResumedWrapUp("alice", until: .seconds(15)), now: .seconds(1))
        #expect(resumed.contains(.agentStateChanged("alice", .wrapUp(nil))))
        #expect(resumed.startedTimer(.wrapUp("alice")) == .seconds(15))
        #expect(center.arrive("c1", at: .seconds(2)).rings.isEmpty, "in wrap-up: not offered")
        let over = center.handle(.timerFired(.wrapUp("alice")), now: .seconds(15))
        #expect(over.rings == ["c1->alice"])
        // A deadline already past leaves the agent available; an agent not available is left alone.
        var later = try makeCenter(agents: [agent("alice"), agent("bob")]) { $0.wrapUpTime = .seconds(20) }
        later.login("alice", "bob", at: .seconds(30))
        #expect(later.handle(.agentResumedWrapUp("alice", until: .seconds(15)), now: .seconds(30)).isEmpty)
        _ = later.handle(.agentReleased("bob", ReleaseReason(id: "lunch", label: "Lunch")), now: .seconds(30))
        #expect(later.handle(.agentResumedWrapUp("bob", until: .seconds(50)), now: .seconds(30)).isEmpty)
        #expect(later.agentState("alice") == .available)
    }

    @Test func unknownAgentsAndCallsAreIgnored() throws {
        var center = try makeCenter(agents: [agent("alice")])
        #expect(center.handle(.agentLoggedIn("mallory"), now: .zero).isEmpty)
        #expect(center.handle(.agentAnswered("nope", "alice"), now: .zero).isEmpty)
        #expect(center.agentState("mallory") == nil)
    }

    @Test func answerFromAnAgentNotRingingIsIgnored() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        center.login("bob")
        #expect(center.handle(.agentAnswered("c1", "bob"), now: .seconds(1)).isEmpty)
    }

    @Test func duplicateCallIDIsRefusedWithoutARecord() throws {
        var center = try makeCenter(agents: [])
        center.arrive("c1", at: .zero)
        let dup = center.arrive("c1", at: .seconds(1))
        #expect(dup == [.rejectCall("c1", reason: "duplicate call id 'c1'")])
    }

    @Test func unknownQueueIsRejectedWithRecord() throws {
        var center = try makeCenter(agents: [])
        let out = center.arrive("c1", queue: "nowhere", at: .zero)
        #expect(out.first == .rejectCall("c1", reason: "unknown queue 'nowhere'"))
        #expect(out.records.first?.disposition == .rejected)
        #expect(out.records.first?.endReason == .unknownQueue)
    }

    @Test func logoutWhileRingingRequeuesTheCall() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        center.login("bob", at: .seconds(1))
        let out = center.handle(.agentLoggedOut("alice"), now: .seconds(2))
        #expect(out.contains(.agentStateChanged("alice", .offline)))
        #expect(out.contains(.cancelRing("c1", "alice")))
        #expect(out.rings == ["c1->bob"])
    }

    @Test func logoutDuringCallHangsUp() throws {
        var center = try makeCenter(agents: [agent("alice")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        _ = center.handle(.agentAnswered("c1", "alice"), now: .seconds(1))
        let out = center.handle(.agentLoggedOut("alice"), now: .seconds(5))
        #expect(out.contains(.hangUp("c1", reason: .agentLoggedOut)))
        #expect(out.records.first?.disposition == .answered)
        #expect(center.agentState("alice") == .offline)
    }

    @Test func releaseDuringCallAppliesAfterIt() throws {
        var center = try makeCenter(agents: [agent("alice")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        _ = center.handle(.agentAnswered("c1", "alice"), now: .seconds(1))
        let lunch = ReleaseReason(id: "lunch", label: "Lunch", bias: 0)
        #expect(center.handle(.agentReleased("alice", lunch), now: .seconds(2)).isEmpty)
        let end = center.handle(.callerHungUp("c1"), now: .seconds(3))
        #expect(end.contains(.agentStateChanged("alice", .released(lunch))))
        center.arrive("c2", at: .seconds(4))
        let back = center.handle(.agentAvailable("alice"), now: .seconds(5))
        #expect(back.rings == ["c2->alice"])
    }

    @Test func agentsByStateCounts() throws {
        var center = try makeCenter(agents: [agent("a"), agent("b"), agent("c")])
        #expect(center.agentsByState == ["offline": 3])
        center.login("a", "b")
        _ = center.handle(.agentReleased("b", .default), now: .zero)
        center.arrive("c1", at: .zero)
        #expect(center.agentsByState == ["offline": 1, "ringing": 1, "released": 1])
    }
}
