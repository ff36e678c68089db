import Testing
@testable import CallCenter

/// One queue running `steps`; the default recipe is off so only `steps` act.
func recipeCenter(
    _ steps: [RecipeStep], skills: [Skill] = [], agents: [AgentConfig] = [],
    extraQueues: [QueueConfig] = [], configure: (inout CallCenterConfig) -> Void = { _ in }
) throws -> CallCenter {
    try makeCenter(
        queues: [QueueConfig(name: "support", skills: skills, recipe: steps)] + extraQueues, agents: agents
    ) {
        $0.defaultRecipe = []
        configure(&$0)
    }
}

func step(_ conditions: [RecipeCondition], _ operations: [RecipeOperation], _ mode: RunMode = .runOnce)
    -> RecipeStep
{
    RecipeStep(conditions: conditions, operations: operations, runMode: mode)
}

extension CallCenter {
    /// Fires the call's recipe tick `n` (times are tick * 10 s from an arrival at zero).
    mutating func tick(_ call: CallID, _ n: Int) -> [CallCenterAction] {
        handle(.timerFired(.recipeTick(call)), now: .seconds(Int64(10 * n)))
    }
}

@Suite struct RecipeConditionTests {
    /// Whether `condition` holds on tick 1 for a fresh call, seen through an `announce`.
    func holds(
        _ condition: RecipeCondition, client: String? = nil, callerID: String = "1000",
        name: String = "", media: MediaType = .voice, configure: (inout CallCenterConfig) -> Void = { _ in }
    ) throws -> Bool {
        var center = try recipeCenter([step([condition], [.announce("hit")])], configure: configure)
        center.arrive("c1", client: client, callerID: callerID, name: name, media: media, at: .zero)
        return center.tick("c1", 1).contains(.announce("c1", prompt: "hit"))
    }

    @Test func ticksModulo() throws {
        var center = try recipeCenter([step([.ticks(3)], [.announce("three")], .runMany)])
        center.arrive("c1", at: .zero)
        let fired = (1...9).map { center.tick("c1", $0).contains(.announce("c1", prompt: "three")) }
        #expect(fired == [false, false, true, false, false, true, false, false, true])
    }

    @Test func ticksCountFromEachCallsOwnEnqueueTime() throws {
        var center = try recipeCenter([step([.ticks(1)], [.announce("x")], .runMany)])
        #expect(center.arrive("c1", at: .seconds(3)).startedTimer(.recipeTick("c1")) == .seconds(13))
        #expect(center.arrive("c2", at: .seconds(7)).startedTimer(.recipeTick("c2")) == .seconds(17))
        let out = center.handle(.timerFired(.recipeTick("c1")), now: .seconds(13))
        #expect(out.startedTimer(.recipeTick("c1")) == .seconds(23))
    }

    @Test func agentCounts() throws {
        var center = try recipeCenter(
            [step([.availableAgents(.equal, 0), .eligibleAgents(.equal, 1)], [.announce("none free")])],
            skills: ["x"], agents: [agent("alice", ["x"])])
        center.login("alice")
        _ = center.handle(.agentReleased("alice", .default), now: .zero)
        center.arrive("c1", at: .zero)
        #expect(center.tick("c1", 1).contains(.announce("c1", prompt: "none free")))
    }

    @Test func callsQueuedAndPosition() throws {
        var center = try recipeCenter([
            step([.callsQueued(.greater, 1), .queuePosition(.equal, 2)], [.announce("second")], .runMany)
        ])
        center.arrive("c1", at: .zero)
        center.arrive("c2", at: .zero)
        #expect(!center.tick("c1", 1).contains(.announce("c1", prompt: "second")))
        #expect(center.tick("c2", 1).contains(.announce("c2", prompt: "second")))
    }

    @Test func clientCondition() throws {
        #expect(try holds(.client(equals: true, "acme"), client: "acme"))
        #expect(try !holds(.client(equals: true, "acme"), client: "other"))
        #expect(try holds(.client(equals: false, "acme"), client: "other"))
        #expect(try holds(.client(equals: false, "acme")))
    }

    @Test func hourAndWeekday() throws {
        // 2024-01-01 was a Monday; 09:00 UTC, and 11:00 at UTC+2. Tick 1 is 10 s later.
        let monday9 = 1_704_099_600.0
        #expect(try holds(.hour(.equal, 9)) { $0.originUnixTime = monday9 })
        #expect(try holds(.weekday(.equal, 1)) { $0.originUnixTime = monday9 })
        #expect(try holds(.hour(.equal, 11)) {
            $0.originUnixTime = monday9
            $0.utcOffsetSeconds = 7_200
        })
        #expect(try holds(.hour(.less, 12)) { $0.originUnixTime = monday9 })
        #expect(try holds(.weekday(.equal, 4)))  // the Unix epoch was a Thursday
        #expect(try holds(.weekday(.equal, 3)) { $0.utcOffsetSeconds = -3_600 })
    }

    @Test func mediaType() throws {
        #expect(try holds(.mediaType(.email), media: .email))
        #expect(try !holds(.mediaType(.email), media: .voice))
    }

    @Test func callerRegexes() throws {
        #expect(try holds(.callerID(CallerPattern("^\\+1")), callerID: "+15551234"))
        #expect(try !holds(.callerID(CallerPattern("^\\+1")), callerID: "+445551234"))
        #expect(try holds(.callerName(CallerPattern("(?i)smith")), name: "Jane SMITH"))
    }

    @Test func failedConditionsKeepTheStep() throws {
        var center = try recipeCenter([step([.ticks(2)], [.announce("even")])])
        center.arrive("c1", at: .zero)
        #expect(!center.tick("c1", 1).contains(.announce("c1", prompt: "even")))
        #expect(center.tick("c1", 2).contains(.announce("c1", prompt: "even")))
        #expect(!center.tick("c1", 3).contains(.announce("c1", prompt: "even")))
        #expect(!center.tick("c1", 4).contains(.announce("c1", prompt: "even")))  // run once: gone
    }
}

@Suite struct RecipeOperationTests {
    @Test func addAndRemoveSkills() throws {
        var center = try recipeCenter(
            [step([.ticks(1)], [.addSkills(["vip"])]), step([.ticks(2)], [.removeSkills(["vip", "_node"])])])
        center.arrive("c1", at: .zero)
        _ = center.tick("c1", 1)
        #expect(center.requiredSkills(ofCall: "c1") == ["_node:node1", "vip"])
        _ = center.tick("c1", 2)
        #expect(center.requiredSkills(ofCall: "c1") == [])
    }

    @Test func priorityOperations() throws {
        var center = try recipeCenter([
            step([.ticks(1)], [.setPriority(5)]), step([.ticks(2)], [.prioritize, .prioritize]),
            step([.ticks(3)], [.deprioritize]),
        ])
        center.arrive("c1", at: .zero)
        _ = center.tick("c1", 1)
        #expect(center.callPlacement("c1")?.priority == 5)
        _ = center.tick("c1", 2)
        #expect(center.callPlacement("c1")?.priority == 3)
        _ = center.tick("c1", 3)
        #expect(center.callPlacement("c1")?.priority == 4)
    }

    @Test func prioritizeFloorsAtZero() throws {
        var center = try recipeCenter([step([.ticks(1)], [.prioritize])])
        center.arrive("c1", priority: 0, at: .zero)
        _ = center.tick("c1", 1)
        #expect(center.callPlacement("c1")?.priority == 0)
    }

    @Test func voicemailLeavesTheQueue() throws {
        var center = try recipeCenter([step([.ticks(2)], [.voicemail, .announce("never")])])
        center.arrive("c1", at: .zero)
        _ = center.tick("c1", 1)
        let out = center.tick("c1", 2)
        #expect(out.contains(.routeToVoicemail("c1")))
        #expect(!out.contains(.announce("c1", prompt: "never")))
        #expect(out.records.first?.disposition == .voicemail)
        #expect(center.waitingCallCount == 0)
    }

    @Test func addRecipeAppendsAStep() throws {
        var center = try recipeCenter([
            step([.ticks(1)], [.addRecipe(step([.ticks(2)], [.announce("added")], .runMany))])
        ])
        center.arrive("c1", at: .zero)
        #expect(!center.tick("c1", 1).contains(.announce("c1", prompt: "added")))
        #expect(center.tick("c1", 2).contains(.announce("c1", prompt: "added")))
        #expect(!center.tick("c1", 3).contains(.announce("c1", prompt: "added")))
        #expect(center.tick("c1", 4).contains(.announce("c1", prompt: "added")))
    }

    @Test func newQueueMovesTheCallAndTakesItsRecipe() throws {
        let overflow = QueueConfig(
            name: "overflow", skills: ["backup"], recipe: [step([.ticks(1)], [.announce("in overflow")], .runMany)])
        var center = try recipeCenter(
            [step([.ticks(2)], [.newQueue("overflow")])], skills: ["tier1"],
            agents: [agent("bob", ["backup"])], extraQueues: [overflow])
        center.login("bob")
        center.arrive("c0", queue: "overflow", at: .zero)  // keeps bob busy
        center.arrive("c1", at: .zero)
        _ = center.tick("c1", 1)
        _ = center.tick("c1", 2)
        #expect(center.callPlacement("c1")?.queue == "overflow")
        #expect(center.requiredSkills(ofCall: "c1") == ["_node:node1", "backup"])
        #expect(center.waitingCalls(inQueue: "overflow") == ["c1"])
        #expect(center.tick("c1", 3).contains(.announce("c1", prompt: "in overflow")))
        // It kept its enqueue time: bob's next call is c1 (it arrived with c0, before anything else).
        center.arrive("c2", queue: "overflow", at: .seconds(31))
        _ = center.handle(.agentAnswered("c0", "bob"), now: .seconds(32))
        #expect(center.handle(.agentHungUp("c0"), now: .seconds(33)).rings == ["c1->bob"])
    }

    @Test func groupRecipeFollowsQueueRecipe() throws {
        var center = try makeCenter(
            queues: [QueueConfig(name: "support", recipe: [step([.ticks(1)], [.announce("queue")])], group: "g")],
            agents: []
        ) {
            $0.queueGroups = [QueueGroupConfig(name: "g", recipe: [step([.ticks(1)], [.announce("group")])])]
            $0.defaultRecipe = []
        }
        center.arrive("c1", at: .zero)
        let announcements = center.tick("c1", 1).compactMap {
            if case .announce(_, let p) = $0 { p } else { nil }
        }
        #expect(announcements == ["queue", "group"])
    }

    @Test func stepsDoNotRunWhileRinging() throws {
        var center = try recipeCenter([step([.ticks(1)], [.announce("x")], .runMany)], agents: [agent("a")])
        center.login("a")
        center.arrive("c1", at: .zero)
        let out = center.tick("c1", 1)
        #expect(!out.contains(.announce("c1", prompt: "x")))
        #expect(out.startedTimer(.recipeTick("c1")) == .seconds(20))
    }

    @Test func shorthandMatchesSeedForm() throws {
        let s = try RecipeStep.shorthand(ticks: 15, operation: "remove_skills", args: ["_node"], runMode: .runOnce)
        #expect(s == CallCenterConfig.standardDefaultRecipe()[0].withComment(""))
        #expect(try RecipeStep.shorthand(ticks: 2, operation: "set_priority", args: ["3"], runMode: .runMany).operations
            == [.setPriority(3)])
        let nested = try RecipeStep.shorthand(
            ticks: 1, operation: "add_recipe", args: ["5", "announce", "hello", "run_many"], runMode: .runOnce)
        #expect(nested.operations == [.addRecipe(step([.ticks(5)], [.announce("hello")], .runMany))])
        #expect(throws: CallCenterConfigError.unknownOperation("explode", context: "recipe step {1, explode}")) {
            try RecipeStep.shorthand(ticks: 1, operation: "explode", args: [], runMode: .runOnce)
        }
        #expect(throws: CallCenterConfigError.self) {
            try RecipeStep.shorthand(ticks: 0, operation: "voicemail", args: [], runMode: .runOnce)
        }
        #expect(throws: CallCenterConfigError.self) {
            try RecipeStep.shorthand(ticks: 1, operation: "set_priority", args: ["high"], runMode: .runOnce)
        }
    }
}

extension RecipeStep {
    func withComment(_ c: String) -> RecipeStep {
        var copy = self
        copy.comment = c
        return copy
    }
}
