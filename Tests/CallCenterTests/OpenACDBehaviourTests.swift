import Testing
@testable import CallCenter

/// The black-box behaviours OpenACD's acceptance tests check (REFERENCE §1).
@Suite struct OpenACDBehaviourTests {
    @Test func releasedAgentIsNeverRung() throws {
        var center = try makeCenter(agents: [agent("released"), agent("idle")])
        center.login("released", "idle")
        _ = center.handle(.agentReleased("released", ReleaseReason(id: "break", label: "Break")), now: .zero)
        var rings: [String] = []
        for i in 0..<5 {
            rings += center.arrive("c\(i)", at: .seconds(Int64(i)))
            .rings
            _ = center.handle(.agentRejected("c\(i)", "idle"), now: .seconds(Int64(i)))
        }
        #expect(!rings.contains { $0.hasSuffix("->released") })
    }

    @Test func agentLackingARequiredSkillIsNeverRung() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", skills: ["spanish"])],
            agents: [agent("mono", ["english"])])
        center.login("mono")
        for i in 0..<3 { #expect(center.arrive("c\(i)", at: .zero).rings.isEmpty) }
    }

    @Test func rejectedCallGoesToTheNextAgent() throws {
        var center = try makeCenter(agents: [agent("first"), agent("second")])
        center.login("first", "second")
        #expect(center.arrive("c1", at: .zero).rings == ["c1->first"])
        #expect(center.handle(.agentRejected("c1", "first"), now: .seconds(1)).rings == ["c1->second"])
    }

    @Test func whenNoAgentIsAvailableRemoveSkillOpensTheCall() throws {
        let open = RecipeStep(
            conditions: [.availableAgents(.equal, 0)], operations: [.removeSkills(["spanish"])],
            runMode: .runOnce, comment: "nobody speaks spanish right now")
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", skills: ["spanish"], recipe: [open])],
            agents: [agent("english-only")]) { $0.defaultRecipe = [] }
        center.login("english-only")
        #expect(center.arrive("c1", at: .zero).rings.isEmpty)
        #expect(center.tick("c1", 1).rings == ["c1->english-only"])
    }

    @Test func everyFiveTicksAddOrRemoveASkill() throws {
        let add = RecipeStep(conditions: [.ticks(5)], operations: [.addSkills(["senior"])], runMode: .runOnce)
        let remove = RecipeStep(conditions: [.ticks(10)], operations: [.removeSkills(["senior"])], runMode: .runOnce)
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", recipe: [add, remove])], agents: []) { $0.defaultRecipe = [] }
        center.arrive("c1", at: .zero)
        for n in 1...4 { _ = center.tick("c1", n) }
        #expect(center.requiredSkills(ofCall: "c1") == ["_node:node1"])
        _ = center.tick("c1", 5)
        #expect(center.requiredSkills(ofCall: "c1") == ["_node:node1", "senior"])
        for n in 6...10 { _ = center.tick("c1", n) }
        #expect(center.requiredSkills(ofCall: "c1") == ["_node:node1"])
    }

    @Test func newQueueMovesTheCall() throws {
        let move = RecipeStep(conditions: [.ticks(1)], operations: [.newQueue("sales")])
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", recipe: [move]), QueueConfig(name: "sales")], agents: [])
        center.arrive("c1", at: .zero)
        _ = center.tick("c1", 1)
        #expect(center.waitingCalls(inQueue: "support").isEmpty)
        #expect(center.waitingCalls(inQueue: "sales") == ["c1"])
    }

    @Test func defaultRecipeRemovesNodeAfterFifteenTicks() throws {
        var center = try makeCenter(agents: [agent("remote", node: "node2")])
        center.login("remote")
        center.arrive("c1", at: .zero)
        for n in 1...14 { #expect(center.tick("c1", n).rings.isEmpty) }
        #expect(center.tick("c1", 15).rings == ["c1->remote"])
    }
}
