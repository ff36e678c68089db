import Testing
@testable import CallCenter

@Suite struct AgentStateMachineTests {
    @Test func loginOfferAnswerEndWithoutWrapUp() {
        var m = AgentStateMachine(maxRingFailures: 3)
        #expect(m.state == .offline)
        #expect(m.offer("c1") == .none)
        #expect(m.logIn() == .changed)
        #expect(m.state == .available)
        #expect(m.offer("c1") == .changed)
        #expect(m.state == .ringing("c1"))
        #expect(m.answer("c2") == .none)
        #expect(m.answer("c1") == .changed)
        #expect(m.state == .onCall("c1"))
        #expect(m.callEnded("c1", wrapUp: false) == .changed)
        #expect(m.state == .available)
    }

    @Test func wrapUpEndsOnRequestOrTimeout() {
        var m = AgentStateMachine(maxRingFailures: 3)
        _ = m.logIn(); _ = m.offer("c1"); _ = m.answer("c1")
        #expect(m.callEnded("c1", wrapUp: true) == .startWrapUp)
        #expect(m.state == .wrapUp("c1"))
        #expect(m.completeWrapUp() == .saveNotesAndUpdateStats)
        #expect(m.state == .available)
        _ = m.offer("c2"); _ = m.answer("c2"); _ = m.callEnded("c2", wrapUp: true)
        #expect(m.wrapUpTimeout() == .forceCompleteWrapUp)
        #expect(m.state == .available)
        #expect(m.wrapUpTimeout() == .none)
    }

    @Test func threeConsecutiveRingFailuresRelease() {
        var m = AgentStateMachine(maxRingFailures: 3)
        _ = m.logIn()
        for i in 1...2 {
            _ = m.offer("c\(i)")
            #expect(m.ringFailed("c\(i)") == .changed)
            #expect(m.state == .available)
        }
        _ = m.offer("c3")
        #expect(m.ringFailed("c3") == .releasedForRingFailure)
        #expect(m.state == .released(.ringFail))
        #expect(m.offer("c4") == .none)
    }

    @Test func answerResetsRingFailures() {
        var m = AgentStateMachine(maxRingFailures: 2)
        _ = m.logIn()
        _ = m.offer("a"); _ = m.ringFailed("a")
        _ = m.offer("b"); _ = m.answer("b"); _ = m.callEnded("b", wrapUp: false)
        _ = m.offer("c")
        #expect(m.ringFailed("c") == .changed)
        #expect(m.consecutiveRingFailures == 1)
    }

    @Test func releaseDuringCallIsDeferred() {
        var m = AgentStateMachine(maxRingFailures: 3)
        _ = m.logIn(); _ = m.offer("c1"); _ = m.answer("c1")
        let lunch = ReleaseReason(id: "lunch", label: "Lunch")
        #expect(m.release(lunch) == .none)
        #expect(m.state == .onCall("c1"))
        #expect(m.callEnded("c1", wrapUp: false) == .changed)
        #expect(m.state == .released(lunch))
        #expect(m.makeAvailable() == .changed)
        #expect(m.state == .available)
    }

    @Test func releaseOrLogoutWhileRingingDropsTheRing() {
        var m = AgentStateMachine(maxRingFailures: 3)
        _ = m.logIn(); _ = m.offer("c1")
        #expect(m.release(.default) == .changedDroppingRing("c1"))
        _ = m.makeAvailable(); _ = m.offer("c2")
        #expect(m.logOut() == .changedDroppingRing("c2"))
        #expect(m.state == .offline)
        #expect(m.logOut() == .none)
        _ = m.logIn(); _ = m.offer("c3"); _ = m.answer("c3")
        #expect(m.logOut() == .changedEndingCall("c3"))
    }

    @Test func ringCancelledIsNotAFailure() {
        var m = AgentStateMachine(maxRingFailures: 1)
        _ = m.logIn(); _ = m.offer("c1")
        #expect(m.ringCancelled("c1") == .changed)
        #expect(m.state == .available)
        #expect(m.consecutiveRingFailures == 0)
    }
}

@Suite struct CallStateMachineTests {
    @Test func queuedRingingActiveTerminating() {
        var m = CallStateMachine()
        #expect(m.state == .queued)
        #expect(m.assignToAgents([3]) == .routeToAgentAndNotify([3]))
        #expect(m.agentAccept(4) == .none)
        #expect(m.agentAccept(3) == .bridgeAndRecord(agent: 3, cancelling: []))
        #expect(m.state == .active(3))
        #expect(m.hangupCall() == .sendByeAndReleaseAgents([3]))
        #expect(m.state == .terminating)
        #expect(m.hangupCall() == .none)
    }

    @Test func noAnswerReturnsToQueue() {
        var m = CallStateMachine()
        _ = m.assignToAgents([1, 2])
        #expect(m.agentNoAnswer(1) == .releaseAgent(1))
        #expect(m.agentNoAnswer(2) == .releaseAgentAndFindNext(2))
        #expect(m.state == .queued)
    }

    @Test func ringAllAcceptCancelsOthers() {
        var m = CallStateMachine()
        _ = m.assignToAgents([1, 2, 3])
        #expect(m.agentAccept(2) == .bridgeAndRecord(agent: 2, cancelling: [1, 3]))
    }

    @Test func queueTimeoutAndHangupFromQueue() {
        var m = CallStateMachine()
        #expect(m.queueTimeout() == .removeFromQueueAndRouteToVoicemail)
        #expect(m.state == .terminating)
        var n = CallStateMachine()
        #expect(n.hangupCall() == .removeFromQueueAndSendBye)
        var r = CallStateMachine()
        _ = r.assignToAgents([5])
        #expect(r.queueTimeout() == .none)
        #expect(r.hangupCall() == .sendByeAndReleaseAgents([5]))
    }
}
