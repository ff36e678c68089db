import Testing
@testable import CallCenter

@Suite struct ConfigValidationTests {
    func error(_ configure: (inout CallCenterConfig) -> Void) -> CallCenterConfigError? {
        var config = CallCenterConfig(queues: [QueueConfig(name: "support")], agents: [agent("alice")])
        configure(&config)
        do {
            _ = try CallCenter(config: config)
            return nil
        } catch {
            return error
        }
    }

    @Test func validConfigPasses() {
        #expect(error { _ in } == nil)
    }

    @Test func unknownQueueInNewQueue() {
        let e = error {
            $0.queues[0].recipe = [RecipeStep(conditions: [.ticks(1)], operations: [.newQueue("nowhere")])]
        }
        #expect(e == .unknownQueue("nowhere", context: "queue 'support' recipe step 1 new_queue"))
        #expect(e?.description.contains("unknown queue 'nowhere'") == true)
    }

    @Test func unknownOverflowQueue() {
        let e = error { $0.queues[0].onMaxWait = .overflow("ghost") }
        #expect(e == .unknownQueue("ghost", context: "queue 'support' overflow"))
    }

    @Test func nonPositiveTicksAndDurations() {
        #expect(error { $0.defaultRecipe = [RecipeStep(conditions: [.ticks(0)], operations: [.voicemail])] }
            == .nonPositive(field: "ticks", context: "default recipe step 1"))
        #expect(error { $0.tickLength = .zero } == .nonPositive(field: "tick length", context: "config"))
        #expect(error { $0.queues[0].weight = 0 } == .nonPositive(field: "weight", context: "queue 'support'"))
        #expect(error { $0.maxAttempts = 0 } != nil)
    }

    @Test func unknownMagicSkill() {
        #expect(error { $0.queues[0].skills = ["_bogus"] }
            == .unknownMagicSkill("_bogus", context: "queue 'support' skills"))
        #expect(error { $0.agents[0].skills = ["_whatever:x"] }
            == .unknownMagicSkill("_whatever:x", context: "agent 'alice' skills"))
        #expect(error { $0.agents[0].skills = ["_queue"] } != nil)
        #expect(error { $0.queues[0].skills = ["_agent:ghost"] }
            == .unknownAgent("ghost", context: "queue 'support' skills"))
        #expect(error { $0.queues[0].skills = ["_agent"] } != nil)
    }

    @Test func duplicateNames() {
        #expect(error { $0.queues.append(QueueConfig(name: "support")) }
            == .duplicateName(kind: "queue", name: "support"))
        #expect(error { $0.agents.append(agent("alice")) } == .duplicateName(kind: "agent", name: "alice"))
        #expect(error {
            $0.queueGroups = [QueueGroupConfig(name: "g"), QueueGroupConfig(name: "g")]
        } == .duplicateName(kind: "queue group", name: "g"))
    }

    @Test func unknownQueueGroup() {
        #expect(error { $0.queues[0].group = "nope" } == .unknownQueueGroup("nope", context: "queue 'support'"))
    }

    @Test func nestedAddRecipeIsValidated() {
        let bad = RecipeStep(conditions: [.ticks(1)], operations: [.newQueue("ghost")])
        let e = error {
            $0.queues[0].recipe = [RecipeStep(conditions: [.ticks(1)], operations: [.addRecipe(bad)])]
        }
        #expect(e == .unknownQueue("ghost", context: "queue 'support' recipe step 1 add_recipe step 1 new_queue"))
    }

    @Test func badRegexNamesThePattern() {
        #expect(throws: CallCenterConfigError.self) { try CallerPattern("([") }
        do {
            _ = try CallerPattern("([")
        } catch {
            #expect(error.description.contains("'(['"))
        }
    }

    @Test func operationParsing() throws {
        #expect(try RecipeOperation.parse(name: "new_queue", args: ["x"], context: "t") == .newQueue("x"))
        #expect(try RecipeOperation.parse(name: "add_skills", args: ["a", "b"], context: "t") == .addSkills(["a", "b"]))
        #expect(try RecipeOperation.parse(name: "prioritize", args: [], context: "t") == .prioritize)
        #expect(throws: CallCenterConfigError.self) { try RecipeOperation.parse(name: "voicemail", args: ["x"], context: "t") }
        #expect(RecipeOperation.names.count == 9)
    }
}

@Suite struct SkillSetTests {
    @Test func subsetAndCanonicalForm() {
        var a = SkillSet([1, 70, 130])
        let b = SkillSet([1, 70, 130, 5])
        #expect(a.isSubset(of: b))
        #expect(!b.isSubset(of: a))
        #expect(a.count == 3)
        a.remove(130)
        #expect(a.words.count == 2)
        a.remove(70)
        #expect(a == SkillSet([1]))
        #expect(SkillSet().isSubset(of: a))
        #expect(b.members == [1, 5, 70, 130])
    }

    @Test func magicParsing() {
        #expect(MagicSkill.parse("english") == nil)
        #expect(MagicSkill.parse("_node") == .success(.node(nil)))
        #expect(MagicSkill.parse("_agent:bob") == .success(.agent("bob")))
        #expect(MagicSkill.parse("_all") == .success(.all))
        #expect(MagicSkill.parse("_all:x") == .failure(UnknownMagicSkill(name: "_all:x")))
        #expect(Skill("_brand").isMagic)
    }

}
