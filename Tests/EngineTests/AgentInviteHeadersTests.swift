import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The agent's INVITE names the queue the call is in when it rings (after a recipe moved it),
/// and the queue the customer dialled when that differs.
struct AgentInviteHeadersTests {
    @Test func aMovedCallRingsWithItsCurrentAndOriginalQueue() throws {
        let routing = CallCenterConfig(
            tickLength: .seconds(1), ringTimeout: .seconds(10), callsRequireNode: false, defaultRecipe: [],
            queues: [QueueConfig(name: "sales", skills: [Skill("sales")], recipe: [RecipeStep(conditions: [.ticks(1)], operations: [.newQueue("support")])]),
                     QueueConfig(name: "support")],
            agents: [AgentConfig(login: "alice")])
        var core = B2BUA(settings: .init(sip: TestPhones.engine, mediaHost: "127.0.0.1", rtpPorts: 20000...20099),
                         center: try CallCenter(config: routing), agents: ["alice"], queues: ["sales", "support"], seed: 42)
        _ = core.handle(.received(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice), now: .milliseconds(10))
        let queued = core.handle(.received(TestPhones.invite(queue: "sales"), from: TestPhones.customer), now: .milliseconds(20))
        #expect(queued.sentRequests("INVITE").isEmpty, "alice has no sales skill: the call waits")
        let moved = core.handle(.timerFired(.callCenter(.recipeTick("call-1"))), now: .milliseconds(1020))
        let ring = try #require(moved.sentRequests("INVITE").first, "moved to support, the call rings alice")
        #expect(ring.header("X-CC-Queue") == "support")
        #expect(ring.header("X-CC-Original-Queue") == "sales")
    }
}
