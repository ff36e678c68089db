import Testing
@testable import CallCenter

@Suite struct DeliveryFailureTests {
    @Test func rejectedCallGoesToNextAgent() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")])
        center.login("alice", "bob")
        #expect(center.arrive("c1", at: .seconds(1)).rings == ["c1->alice"])
        let out = center.handle(.agentRejected("c1", "alice"), now: .seconds(2))
        #expect(out.contains(.cancelTimer(.ring("c1", "alice"))))
        #expect(out.rings == ["c1->bob"])
        #expect(center.agentState("alice") == .available)
    }

    @Test func ringTimeoutCancelsAndRequeuesWithPriorityBump() throws {
        var center = try makeCenter(agents: [agent("alice")]) { $0.ringTimeout = .seconds(15) }
        center.login("alice")
        center.arrive("c1", priority: 7, at: .zero)
        // Too early or stale fires are ignored.
        #expect(center.handle(.timerFired(.ring("c1", "alice")), now: .seconds(10)).isEmpty)
        let out = center.handle(.timerFired(.ring("c1", "alice")), now: .seconds(15))
        #expect(out.contains(.cancelRing("c1", "alice")))
        #expect(out.rings.isEmpty)  // alice is backing off for this call
        #expect(out.startedTimer(.retry("c1")) == .seconds(20))
        #expect(center.callPlacement("c1")?.priority == 2)
        #expect(center.waitingCallCount == 1)
        let retry = center.handle(.timerFired(.retry("c1")), now: .seconds(20))
        #expect(retry.rings == ["c1->alice"])
        #expect(center.handle(.timerFired(.ring("c1", "alice")), now: .seconds(21)).isEmpty)
    }

    @Test func priorityBumpFloorsAtZero() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")])
        center.login("alice")
        center.arrive("c1", priority: 2, at: .zero)
        _ = center.handle(.agentRejected("c1", "alice"), now: .seconds(1))
        #expect(center.callPlacement("c1")?.priority == 0)
    }

    @Test func backoffDoublesForTheSameAgent() throws {
        var center = try makeCenter(agents: [agent("alice")]) {
            $0.retryBackoff = .seconds(4)
            $0.maxRingFailures = 10
        }
        center.login("alice")
        center.arrive("c1", at: .zero)
        var t = Duration.zero
        var delays: [Duration] = []
        for _ in 0..<3 {
            let out = center.handle(.agentRejected("c1", "alice"), now: t)
            let retry = try #require(out.startedTimer(.retry("c1")))
            delays.append(retry - t)
            t = retry
            #expect(center.handle(.timerFired(.retry("c1")), now: t).rings == ["c1->alice"])
        }
        #expect(delays == [.seconds(4), .seconds(8), .seconds(16)])
    }

    @Test func freedAgentSkipsCallItIsBackingOffFrom() throws {
        var center = try makeCenter(agents: [agent("alice")]) { $0.maxRingFailures = 10 }
        center.login("alice")
        center.arrive("c1", at: .zero)
        center.arrive("c2", at: .seconds(1))
        let out = center.handle(.agentRejected("c1", "alice"), now: .seconds(2))
        // c1 is bumped ahead of c2 but alice backs off from c1, so she gets c2.
        #expect(out.rings == ["c2->alice"])
    }

    @Test func maxAttemptsFailsTheCall() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")]) { $0.maxAttempts = 2 }
        center.login("alice", "bob")
        center.arrive("c1", at: .zero)
        _ = center.handle(.agentRejected("c1", "alice"), now: .seconds(1))
        let out = center.handle(.agentRejected("c1", "bob"), now: .seconds(2))
        #expect(out.contains(.hangUp("c1", reason: .maxAttempts)))
        let record = try #require(out.records.first)
        #expect(record.disposition == .failed)
        #expect(record.attempts == 2)
        #expect(record.agent == nil)
    }

    @Test func threeRingFailuresReleaseTheAgent() throws {
        var center = try makeCenter(agents: [agent("alice")]) { $0.retryBackoff = .zero }
        center.login("alice")
        center.arrive("c1", at: .zero)
        _ = center.handle(.agentRejected("c1", "alice"), now: .seconds(1))
        _ = center.handle(.agentRejected("c1", "alice"), now: .seconds(2))
        let out = center.handle(.agentRejected("c1", "alice"), now: .seconds(3))
        #expect(out.contains(.agentStateChanged("alice", .released(.ringFail))))
        #expect(center.agentState("alice") == .released(ReleaseReason(id: "ringfail", label: "Ring Fail", bias: -1)))
        #expect(out.rings.isEmpty)
    }

    @Test func releasedAgentIsNeverRung() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")])
        center.login("alice", "bob")
        _ = center.handle(.agentReleased("alice", .default), now: .zero)
        for i in 0..<3 {
            let out = center.arrive("c\(i)", at: .seconds(Int64(i)))
            #expect(!out.rings.contains { $0.hasSuffix("alice") })
        }
        #expect(center.handle(.agentAvailable("alice"), now: .seconds(5)).rings == ["c1->alice"])
    }

    @Test func releaseWhileRingingRequeuesTheCall() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        center.login("bob")
        let out = center.handle(.agentReleased("alice", .default), now: .seconds(1))
        #expect(out.contains(.cancelRing("c1", "alice")))
        #expect(out.rings == ["c1->bob"])
    }

    @Test func staleTimersAreIgnored() throws {
        var center = try makeCenter(agents: [agent("alice")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        _ = center.handle(.agentAnswered("c1", "alice"), now: .seconds(1))
        #expect(center.handle(.timerFired(.ring("c1", "alice")), now: .seconds(61)).isEmpty)
        #expect(center.handle(.timerFired(.recipeTick("c1")), now: .seconds(61)).isEmpty)
        #expect(center.handle(.timerFired(.queueTimeout("c1")), now: .seconds(61)).isEmpty)
        #expect(center.handle(.timerFired(.retry("c1")), now: .seconds(61)).isEmpty)
        #expect(center.handle(.timerFired(.ring("zz", "alice")), now: .seconds(61)).isEmpty)
    }
}

@Suite struct QueueLimitTests {
    @Test func maxLengthRejectsWithRecord() throws {
        var center = try makeCenter(queues: [QueueConfig(name: "support", maxLength: 1)], agents: [])
        center.arrive("c1", at: .zero)
        let out = center.arrive("c2", at: .seconds(1))
        #expect(out.contains(.rejectCall("c2", reason: "queue 'support' is full (1 calls waiting)")))
        #expect(out.records.first?.disposition == .rejected)
        #expect(out.records.first?.endReason == .queueFull)
    }

    @Test func maxWaitToVoicemail() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", maxWait: .seconds(30))], agents: [])
        let arrival = center.arrive("c1", at: .zero)
        #expect(arrival.startedTimer(.queueTimeout("c1")) == .seconds(30))
        let out = center.handle(.timerFired(.queueTimeout("c1")), now: .seconds(30))
        #expect(out.contains(.routeToVoicemail("c1")))
        #expect(out.records.first?.disposition == .voicemail)
        #expect(out.contains(.cancelTimer(.recipeTick("c1"))))
    }

    /// A voicemail item (OpenACD's stateless media) is never dropped: no maximum wait, no
    /// voicemail of a voicemail, no giving up after max attempts; it ends by playing to an agent.
    @Test func aVoicemailItemWaitsUntilAnAgentTakesIt() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", maxWait: .seconds(30))], agents: [agent("alice"), agent("bob")]) { $0.maxAttempts = 2 }
        let arrival = center.arrive("m1", media: .voicemail, at: .zero)
        #expect(arrival.startedTimer(.queueTimeout("m1")) == nil)
        #expect(center.handle(.timerFired(.queueTimeout("m1")), now: .seconds(30)).isEmpty)
        center.login("alice", "bob", at: .seconds(31))
        _ = center.handle(.agentRejected("m1", "alice"), now: .seconds(32))
        let second = center.handle(.agentRejected("m1", "bob"), now: .seconds(33))
        #expect(second.records.isEmpty, "max attempts must not drop a message")
        #expect(!second.contains { if case .hangUp = $0 { true } else { false } })
        _ = center.handle(.agentAvailable("alice"), now: .seconds(40))
        _ = center.handle(.agentAvailable("bob"), now: .seconds(40))
        let rings = center.handle(.timerFired(.retry("m1")), now: .seconds(60)).rings
            + center.handle(.wrapUpDone("alice"), now: .seconds(61)).rings
        let who = try #require(rings.first.map { String($0.split(separator: ">").last ?? "") }, "the item is offered again")
        _ = center.handle(.agentAnswered("m1", who), now: .seconds(62))
        let end = center.handle(.messagePlayed("m1"), now: .seconds(70))
        let record = try #require(end.records.first)
        #expect(record.disposition == .answered && record.endReason == .messagePlayed && record.media == .voicemail && record.agent == who)
    }

    @Test func maxWaitHangup() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", maxWait: .seconds(30), onMaxWait: .hangup)], agents: [])
        center.arrive("c1", at: .zero)
        let out = center.handle(.timerFired(.queueTimeout("c1")), now: .seconds(30))
        #expect(out.contains(.hangUp("c1", reason: .maxWait)))
        #expect(out.records.first?.disposition == .failed)
    }

    @Test func maxWaitOverflowMovesTheCall() throws {
        var center = try makeCenter(
            queues: [
                QueueConfig(name: "support", skills: ["tier1"], maxWait: .seconds(30), onMaxWait: .overflow("backup")),
                QueueConfig(name: "backup"),
            ],
            agents: [agent("bob")])
        center.login("bob")
        #expect(center.arrive("c1", at: .zero).rings.isEmpty)
        let out = center.handle(.timerFired(.queueTimeout("c1")), now: .seconds(30))
        #expect(out.rings == ["c1->bob"])
        _ = center.handle(.agentAnswered("c1", "bob"), now: .seconds(31))
        let end = center.handle(.callerHungUp("c1"), now: .seconds(40))
        #expect(end.records.first?.queue == "backup")
        #expect(end.records.first?.originalQueue == "support")
    }

    @Test func maxWaitWhileRingingAppliesWhenTheCallComesBack() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", maxWait: .seconds(30))], agents: [agent("alice")])
        center.login("alice")
        center.arrive("c1", at: .zero)
        #expect(center.handle(.timerFired(.queueTimeout("c1")), now: .seconds(30)).isEmpty)
        let out = center.handle(.agentRejected("c1", "alice"), now: .seconds(31))
        #expect(out.contains(.routeToVoicemail("c1")))
    }

    @Test func agingImprovesPriority() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", agingStep: .seconds(60))], agents: [agent("alice")])
        center.arrive("old", priority: 3, at: .zero)
        center.arrive("vip", priority: 2, at: .seconds(30))
        _ = center.handle(.timerFired(.aging("old")), now: .seconds(60))
        // old is now 2 and entered earlier than vip (2): it is served first.
        #expect(center.waitingCalls(inQueue: "support") == ["old", "vip"])
        #expect(center.callPlacement("old")?.priority == 2)
    }
}
