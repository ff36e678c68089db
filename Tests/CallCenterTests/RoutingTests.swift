import Testing
@testable import CallCenter

@Suite struct MatchingTests {
    @Test func agentLackingASkillIsNeverRung() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", skills: ["english"])],
            agents: [agent("alice", ["german"]), agent("bob", ["english"])])
        center.login("alice")
        #expect(center.arrive("c1", at: .zero).rings.isEmpty)
        #expect(center.login("bob", at: .seconds(1)).rings == ["c1->bob"])
    }

    @Test func callSkillsAddToQueueSkills() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", skills: ["english"])],
            agents: [agent("alice", ["english"]), agent("bob", ["english", "vip"])])
        center.login("alice", "bob")
        #expect(center.arrive("c1", skills: ["vip"], at: .zero).rings == ["c1->bob"])
        #expect(center.requiredSkills(ofCall: "c1") == ["_node:node1", "english", "vip"])
    }

    @Test func nodeSkillKeepsCallLocalUntilRemoved() throws {
        var center = try makeCenter(agents: [agent("remote", node: "node2")]) {
            $0.defaultRecipe = CallCenterConfig.standardDefaultRecipe(ticks: 2)
        }
        center.login("remote")
        #expect(center.arrive("c1", at: .zero).rings.isEmpty)
        #expect(center.handle(.timerFired(.recipeTick("c1")), now: .seconds(10)).rings.isEmpty)
        let opened = center.handle(.timerFired(.recipeTick("c1")), now: .seconds(20))
        #expect(opened.rings == ["c1->remote"])
    }

    @Test func agentMagicSkillTargetsOneAgent() throws {
        var center = try makeCenter(agents: [agent("alice"), agent("bob")])
        center.login("alice", "bob")
        #expect(center.arrive("c1", skills: ["_agent:bob"], at: .zero).rings == ["c1->bob"])
        #expect(center.arrive("c2", skills: ["_agent:bob"], at: .zero).rings.isEmpty)
        #expect(center.effectiveSkills(ofAgent: "bob") == ["_agent:bob", "_node:node1"])
    }

    @Test func allOnAgentMatchesAnyCall() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", skills: ["rare"])],
            agents: [agent("alice", ["_all"])])
        center.login("alice")
        #expect(center.arrive("c1", at: .zero).rings == ["c1->alice"])
    }

    @Test func allOnCallMatchesAnyAgent() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", skills: ["rare", "_all"])],
            agents: [agent("alice", node: "elsewhere")])
        center.login("alice")
        #expect(center.arrive("c1", at: .zero).rings == ["c1->alice"])
    }

    @Test func queueAndBrandMagicSkills() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "sales", skills: ["_queue", "_brand"])],
            agents: [agent("alice", ["_queue:sales"]), agent("bob", ["_queue:sales", "_brand:acme"])])
        center.login("alice", "bob")
        #expect(center.arrive("c1", queue: "sales", client: "acme", at: .zero).rings == ["c1->bob"])
        // No client: `_brand` adds nothing.
        #expect(center.arrive("c2", queue: "sales", at: .zero).rings == ["c2->alice"])
    }

    @Test func unknownRuntimeMagicSkillIsRejected() throws {
        var center = try makeCenter(agents: [])
        let out = center.arrive("c1", skills: ["_bogus"], at: .zero)
        #expect(out.records.first?.endReason == .invalidSkill)
    }
}

@Suite struct StrategyTests {
    func ringOrder(
        _ strategy: RoutingStrategy, agents: [AgentConfig], prepare: (inout CallCenter) -> Void = { _ in }
    ) throws -> [String] {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", strategy: strategy)], agents: agents)
        for (i, a) in agents.enumerated() { _ = center.handle(.agentLoggedIn(a.login), now: .seconds(Int64(i))) }
        prepare(&center)
        var order: [String] = []
        for i in 0..<agents.count {
            let out = center.arrive("c\(i)", at: .seconds(100))
            order += out.rings.map { String($0.split(separator: ">").last!) }
        }
        return order
    }

    @Test func longestIdleFirst() throws {
        #expect(try ringOrder(.longestIdle, agents: [agent("a"), agent("b"), agent("c")]) == ["a", "b", "c"])
    }

    @Test func skillsThenIdlePrefersShortSkillLists() throws {
        let agents = [agent("generalist", ["x", "y", "z"]), agent("mid", ["x"]), agent("specialist")]
        #expect(try ringOrder(.skillsThenIdle, agents: agents) == ["specialist", "mid", "generalist"])
    }

    @Test func linearFollowsOrder() throws {
        let agents = [agent("a", order: 3), agent("b", order: 1), agent("c", order: 2)]
        #expect(try ringOrder(.linear, agents: agents) == ["b", "c", "a"])
    }

    @Test func fewestCallsAndLeastTalkTime() throws {
        // alice takes one long call first; then bob and carol are preferred.
        for strategy in [RoutingStrategy.fewestCalls, .leastTalkTime] {
            var center = try makeCenter(
                queues: [QueueConfig(name: "support", strategy: strategy)],
                agents: [agent("alice"), agent("bob"), agent("carol")])
            center.login("alice")
            center.arrive("c0", at: .zero)
            _ = center.handle(.agentAnswered("c0", "alice"), now: .seconds(1))
            _ = center.handle(.agentHungUp("c0"), now: .seconds(100))
            center.login("bob", "carol", at: .seconds(200))
            #expect(center.arrive("c1", at: .seconds(300)).rings == ["c1->bob"])
            #expect(center.arrive("c2", at: .seconds(300)).rings == ["c2->carol"])
            #expect(center.arrive("c3", at: .seconds(300)).rings == ["c3->alice"])
        }
    }

    @Test func roundRobinRotatesByLastOffer() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", strategy: .roundRobin)],
            agents: [agent("a"), agent("b")])
        center.login("a", "b")
        var seen: [String] = []
        for i in 0..<4 {
            let out = center.arrive("c\(i)", at: .seconds(Int64(i)))
            seen += out.rings
            let who = String(out.rings[0].split(separator: ">").last!)
            _ = center.handle(.agentAnswered("c\(i)", who), now: .seconds(Int64(i)))
            _ = center.handle(.agentHungUp("c\(i)"), now: .seconds(Int64(i)))
        }
        #expect(seen == ["c0->a", "c1->b", "c2->a", "c3->b"])
    }

    @Test func randomIsSeededAndDeterministic() throws {
        let agents = (0..<8).map { agent("a\($0)") }
        func run(seed: UInt64) throws -> [String] {
            var center = try makeCenter(
                queues: [QueueConfig(name: "support", strategy: .random)], agents: agents) { $0.seed = seed }
            for a in agents { _ = center.handle(.agentLoggedIn(a.login), now: .zero) }
            return (0..<8).flatMap { center.arrive("c\($0)", at: .seconds(1)).rings }
        }
        #expect(try run(seed: 7) == run(seed: 7))
        #expect(try Set(run(seed: 7)).count == 8)
        #expect(try run(seed: 7) != run(seed: 8))
    }

    @Test func ringAllFirstAnswerWins() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", strategy: .ringAll)],
            agents: [agent("a"), agent("b"), agent("c")])
        center.login("a", "b", "c")
        let out = center.arrive("c1", at: .zero)
        #expect(out.rings == ["c1->a", "c1->b", "c1->c"])
        let answer = center.handle(.agentAnswered("c1", "b"), now: .seconds(2))
        #expect(answer.cancels == ["c1->a", "c1->c"])
        #expect(answer.contains(.bridge("c1", "b")))
        #expect(center.agentState("a") == .available)
        #expect(center.agentState("b") == .onCall("c1"))
    }

    @Test func ringAllRequeuesOnlyWhenEveryLegFailed() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", strategy: .ringAll)], agents: [agent("a"), agent("b")])
        center.login("a", "b")
        center.arrive("c1", priority: 9, at: .zero)
        let first = center.handle(.agentRejected("c1", "a"), now: .seconds(1))
        #expect(center.waitingCallCount == 0)
        #expect(first.rings.isEmpty)
        _ = center.handle(.agentRejected("c1", "b"), now: .seconds(2))
        #expect(center.waitingCallCount == 1)
        #expect(center.callPlacement("c1")?.priority == 4)
    }
}

@Suite struct QueueOrderTests {
    @Test func priorityThenEnqueueTime() throws {
        var center = try makeCenter(agents: [agent("alice")])
        center.arrive("early-low", priority: 5, at: .seconds(0))
        center.arrive("late-low", priority: 5, at: .seconds(1))
        center.arrive("high", priority: 0, at: .seconds(2))
        #expect(center.waitingCalls(inQueue: "support") == ["high", "early-low", "late-low"])
        #expect(center.login("alice", at: .seconds(3)).rings == ["high->alice"])
    }

    @Test func weightedRoundRobinSharesAttention() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "big", weight: 3), QueueConfig(name: "small", weight: 1)],
            agents: [agent("alice")])
        for i in 0..<40 {
            center.arrive("b\(i)", queue: "big", at: .zero)
            center.arrive("s\(i)", queue: "small", at: .zero)
        }
        center.login("alice")
        var served: [String] = []
        for i in 0..<8 {
            let t = Duration.seconds(Int64(i + 1))
            let call = center.requiredCallRungTo("alice")!
            served.append(call)
            _ = center.handle(.agentAnswered(call, "alice"), now: t)
            _ = center.handle(.agentHungUp(call), now: t)
        }
        // Equal queue lengths, weights 3:1: three "big" calls for each "small" one.
        #expect(served.filter { $0.hasPrefix("b") }.count == 6)
        #expect(served.filter { $0.hasPrefix("s") }.count == 2)
    }

    @Test func biasedRandomIsDeterministicPerSeed() throws {
        func run() throws -> [String] {
            var center = try makeCenter(
                queues: [QueueConfig(name: "x", weight: 1), QueueConfig(name: "y", weight: 1)],
                agents: [agent("alice")]) { $0.dispatch = .biasedRandom; $0.seed = 42 }
            for i in 0..<10 {
                center.arrive("x\(i)", queue: "x", at: .zero)
                center.arrive("y\(i)", queue: "y", at: .zero)
            }
            center.login("alice")
            var served: [String] = []
            for _ in 0..<10 {
                let call = center.requiredCallRungTo("alice")!
                served.append(call)
                _ = center.handle(.agentAnswered(call, "alice"), now: .seconds(1))
                _ = center.handle(.agentHungUp(call), now: .seconds(1))
            }
            return served
        }
        let served = try run()
        #expect(try served == run())
        #expect(served.contains { $0.hasPrefix("x") } && served.contains { $0.hasPrefix("y") })
    }

    @Test func queuesWithoutATakeableCallAreSkipped() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "german", weight: 100, skills: ["german"]), QueueConfig(name: "any")],
            agents: [agent("alice")])
        center.arrive("g1", queue: "german", at: .zero)
        center.arrive("a1", queue: "any", at: .zero)
        #expect(center.login("alice").rings == ["a1->alice"])
    }
}

extension CallCenter {
    /// The call the agent is ringing for, if any.
    func requiredCallRungTo(_ agent: AgentID) -> CallID? {
        if case .ringing(let call) = agentState(agent) { return call }
        return nil
    }
}
