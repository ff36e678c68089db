import Testing
@testable import CallCenter

/// `CallCenter.reconfigure`: a reload in place keeps live calls, reaches calls already waiting
/// with newly added agents, applies new recipes to later arrivals, and refuses (changing
/// nothing) what live calls or logged-in agents depend on.
struct ReconfigureTests {
    static let english = QueueConfig(name: "support", skills: [Skill("english")])

    @Test func anAgentAddedByAReloadTakesACallThatWasAlreadyWaiting() throws {
        var cc = try makeCenter(queues: [Self.english], agents: [agent("alice", ["french"])]) { $0.callsRequireNode = false; $0.defaultRecipe = [] }
        cc.login("alice")
        #expect(!cc.arrive("c1", at: .seconds(1)).contains { if case .ringAgent = $0 { true } else { false } })
        var next = cc.config
        next.agents.append(agent("bob", ["english"]))
        let change = try cc.reconfigure(next)
        #expect(change.agentsAdded == ["bob"])
        #expect(cc.handle(.agentLoggedIn("bob"), now: .seconds(2)).contains(.ringAgent("c1", "bob")))
    }

    @Test func aNewRecipeAppliesToLaterArrivalsOnly() throws {
        var cc = try makeCenter(queues: [QueueConfig(name: "support"), QueueConfig(name: "sales")], agents: [agent("alice")]) {
            $0.callsRequireNode = false; $0.defaultRecipe = []; $0.tickLength = .seconds(1)
        }
        cc.arrive("before", at: .seconds(1))
        var next = cc.config
        next.queues[0].recipe = [RecipeStep(conditions: [.ticks(1)], operations: [.newQueue("sales")], runMode: .runOnce)]
        #expect(try cc.reconfigure(next).queuesChanged == ["support"])
        cc.arrive("after", at: .seconds(1))
        // The first recipe tick of each call (tick length 1 s after arrival).
        cc.handle(.timerFired(.recipeTick("before")), now: .seconds(2))
        cc.handle(.timerFired(.recipeTick("after")), now: .seconds(2))
        #expect(cc.callPlacement("after")?.queue == "sales")
        #expect(cc.callPlacement("before")?.queue == "support")
    }

    @Test func whatLiveCallsDependOnIsRefusedAndNothingChanges() throws {
        var cc = try makeCenter(queues: [QueueConfig(name: "support"), QueueConfig(name: "sales")], agents: [agent("alice"), agent("bob")]) {
            $0.callsRequireNode = false; $0.defaultRecipe = []
        }
        cc.login("alice")
        cc.arrive("c1", at: .seconds(1))
        let before = cc.config
        var dropSupport = before
        dropSupport.queues.removeFirst()
        #expect(throws: CallCenter.ReconfigureRefusal.self) { try cc.reconfigure(dropSupport) }
        var redefineAlice = before
        redefineAlice.agents[0].skills = [Skill("german")]
        #expect(throws: CallCenter.ReconfigureRefusal.self) { try cc.reconfigure(redefineAlice) }
        var strategy = before
        strategy.queues[0].strategy = .random
        #expect(throws: CallCenter.ReconfigureRefusal.self) { try cc.reconfigure(strategy) }
        #expect(cc.config == before)
        // bob is offline: he may be removed; sales is empty: it may go.
        var ok = before
        ok.agents.removeLast()
        ok.queues.removeLast()
        let change = try cc.reconfigure(ok)
        #expect(change.agentsRemoved == ["bob"] && change.queuesRemoved == ["sales"])
        #expect(cc.queueNames == ["support"])
        #expect(cc.agentState("bob") == nil)
        #expect(cc.handle(.agentLoggedIn("bob"), now: .seconds(2)).isEmpty, "a removed agent is unknown")
    }
}
