import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// Reloading a running ccengine's configuration (API and `ccengine reload`, SIGHUP): a bridged call stays up, a call
/// queued before keeps its recipe while one queued afterwards follows the new one, new agents
/// and queues appear; a bad file or a change live calls forbid is refused and nothing changes.
@Suite(.serialized) struct ReloadEndToEndTests {
    static func file(_ base: String, supportRecipe: String = "", extraQueue: String = "", extraAgent: String = "", broken: Bool = false) -> String {
        base.replacingOccurrences(of: "queues: [{name: support}]", with: """
            queues:
              - name: support\(supportRecipe.isEmpty ? "" : "\n    recipe: " + supportRecipe)
              - name: sales\(extraQueue)\(broken ? "\n    colour: red" : "")
            """)
            .replacingOccurrences(of: "agents: [{login: alice}, {login: bob}]", with: "agents: [{login: alice}, {login: bob}\(extraAgent)]")
            + "\nshutdown: {grace: 0}\n"
    }

    @Test func aReloadKeepsLiveCallsAndAppliesTheNewRecipeToCallsQueuedAfterwards() throws {
        let rtp = "27000-27099"
        let (engine, api, port) = try OperationsAPITests.start("reload", rtp: rtp, routing: "{tick: 200ms, wrap_up: 0s}")
        defer { engine.stop() }
        let configPath = ((engine.logPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("engine.yaml")
        let base = try String(contentsOfFile: configPath, encoding: .utf8).replacingOccurrences(of: "\nshutdown: {grace: 0}\n", with: "")
        let admin = HTTPTestClient(base: api.base, token: OperationsAPITests.tokens["admin"])
        // First a reload that adds the queue 'sales' (no call is up yet).
        try Self.file(base).write(toFile: configPath, atomically: true, encoding: .utf8)
        let first = admin("POST", "/v1/config/reload")
        #expect(first.status == 200, "\(first.text)")
        #expect((first.object["result"] as? String)?.contains("queues added: sales") == true)

        // alice on a call; another caller waits in support with the old (empty) recipe.
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("support", callID: "rl-bridged")
        let ring = try #require(alice.anyRequest("INVITE"))
        alice.respond(200, to: ring)
        _ = alice.request("ACK", ring.callID)
        let ok = try #require(carol.finalResponse("rl-bridged", method: "INVITE"))
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        let before = RawPhone("dave", engine: port)
        _ = before.invite("support", callID: "rl-before")
        #expect(before.receive { $0.status == 100 } != nil)

        // The new file: support's calls move to sales after one 200 ms tick; an agent carol is added.
        try Self.file(base, supportRecipe: "[{conditions: [{ticks: 1}], operations: [{new_queue: sales}]}]", extraAgent: ", {login: carol}")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let reloaded = admin("POST", "/v1/config/reload")
        #expect(reloaded.status == 200, "\(reloaded.text)")
        let result = reloaded.object["result"] as? String ?? ""
        #expect(result.contains("queues changed: support") && result.contains("agents added: carol"), "\(result)")
        #expect(admin("GET", "/v1/agents/carol").status == 200)
        #expect(admin("GET", "/v1/calls/rl-bridged").object["stage"] as? String == "answered", "the bridged call stays up")

        let after = RawPhone("erin", engine: port)
        _ = after.invite("support", callID: "rl-after")
        #expect(OperationsAPITests.eventually { admin("GET", "/v1/calls/rl-after").object["queue"] as? String == "sales" },
                "a call queued after the reload follows the new recipe")
        #expect(admin("GET", "/v1/calls/rl-before").object["queue"] as? String == "support", "a call queued before keeps its recipe")

        // A bad file is refused with its line; a change live calls forbid too; nothing changes.
        try Self.file(base, broken: true).write(toFile: configPath, atomically: true, encoding: .utf8)
        let bad = admin("POST", "/v1/config/reload")
        #expect(bad.status == 422)
        #expect(bad.object["field"] as? String == "config")
        #expect((bad.object["detail"] as? String)?.contains("engine.yaml:") == true, "\(bad.text)")
        let base2 = base.replacingOccurrences(of: "queues: [{name: support}]", with: "queues: [{name: sales}]")
        try (base2 + "\nshutdown: {grace: 0}\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        let inUse = admin("POST", "/v1/config/reload")
        #expect(inUse.status == 422)
        #expect((inUse.object["detail"] as? String)?.contains("queue 'support' has calls in progress") == true, "\(inUse.text)")
        #expect(admin("GET", "/v1/agents/carol").status == 200, "the running configuration stays")
        #expect(admin("GET", "/v1/calls/rl-bridged").object["stage"] as? String == "answered")

        // `ccengine reload` (SIGHUP, the engine found through its state folder) does the same:
        // a new queue appears.
        try Self.file(base, supportRecipe: "[{conditions: [{ticks: 1}], operations: [{new_queue: sales}]}]", extraQueue: "\n  - name: vip",
                      extraAgent: ", {login: carol}").write(toFile: configPath, atomically: true, encoding: .utf8)
        let state = (engine.recordsPath as NSString).deletingLastPathComponent
        let reload = try E2E.run(E2E.engineBinary, ["reload", "--config", configPath, "--state", state], timeout: 20)
        #expect(reload.status == 0 && reload.output.contains("ccengine \(engine.process.processIdentifier): reloading"), "\(reload.output)")
        #expect(OperationsAPITests.eventually { admin("GET", "/v1/queues/vip").status == 200 })

        // The call that was bridged through every reload ends normally, with its record.
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.receive(timeout: 5, { $0.method == "BYE" }) { alice.respond(200, to: bye) }
        #expect(carol.finalResponse("rl-bridged", method: "BYE")?.status == 200)
        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        #expect(OperationsAPITests.eventually { (try? store.all().first { $0.callID == "rl-bridged" }?.disposition) == "answered" })
    }
}
