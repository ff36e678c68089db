import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// The REST API against a real ccengine: state changes take effect in routing, wrap-up notes
/// land in the call's record, every token and role case gets the right status, and bad requests
/// get problem details naming the field while nothing changes.
@Suite(.serialized) struct OperationsAPITests {
    static let tokens = ["sup": "sup-token-1", "admin": "admin-token-1", "alice": "alice-token-1", "bob": "bob-token-1", "old": "old-token-1"]

    static func config(port: Int, rtp: String, routing: String = "{wrap_up: 60s}", queue: String = "{name: support}", extra: String = "",
                       agents: String = "[{login: alice}, {login: bob}]") -> String {
        func h(_ name: String) -> String { APIConfig.Token.hash(tokens[name]!) }
        return """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: \(rtp)}
            routing: \(routing)
            api:
              listen: 127.0.0.1:0
              max_body_bytes: 256
              failures_per_minute: 8
              tokens:
                - {name: sup, sha256: \(h("sup")), role: supervisor}
                - {name: admin, sha256: \(h("admin")), role: admin}
                - {name: alice-phone, sha256: \(h("alice")), role: agent, agent: alice}
                - {name: bob-phone, sha256: \(h("bob")), role: agent, agent: bob}
                - {name: old, sha256: \(h("old")), role: supervisor, expires: "2020-01-01T00:00:00Z"}
            queues: [\(queue)]
            agents: \(agents)
            \(extra)
            """
    }

    /// A ccengine with the API on a kernel-chosen port, and a client for it.
    static func start(_ name: String, rtp: String, routing: String = "{wrap_up: 60s}", queue: String = "{name: support}", extra: String = "",
                      agents: String = "[{login: alice}, {login: bob}]") throws -> (EngineProcess, HTTPTestClient, Int) {
        let port = RawUDP().port
        let dir = E2E.tempDirectory(name)
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: config(port: port, rtp: rtp, routing: routing, queue: queue, extra: extra, agents: agents),
                                       directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        guard FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 50), let api = HTTPTestClient.apiPort(log: engine.logPath) else {
            engine.stop()
            throw SimulationError.engineStart("engine or its API did not start; see \(engine.logPath)")
        }
        return (engine, HTTPTestClient(base: "http://127.0.0.1:\(api)"), port)
    }

    /// Polls (bounded, 5 s) until `condition` holds.
    static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<250 {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func restStateChangesTakeEffectInRoutingAndWrapUpNotesLandInTheRecord() throws {
        let (engine, api, port) = try Self.start("api-routing", rtp: "26400-26499")
        defer { engine.stop() }
        let sup = HTTPTestClient(base: api.base, token: Self.tokens["sup"])
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        #expect(Self.eventually { sup("GET", "/v1/agents/alice").object["state"] as? String == "available" })

        // Released by her own token: she is not rung, the call waits and the API shows it waiting.
        let aliceAPI = HTTPTestClient(base: api.base, token: Self.tokens["alice"])
        let released = aliceAPI("PUT", "/v1/agents/alice/state", body: #"{"state": "released", "reason": "lunch", "label": "Lunch break"}"#)
        #expect(released.status == 200, "\(released.text)")
        let agent = sup("GET", "/v1/agents/alice").object
        #expect(agent["state"] as? String == "released")
        #expect((agent["release_reason"] as? [String: Any])?["id"] as? String == "lunch")
        let customer = RawPhone("carol", engine: port)
        let invite = customer.invite("support", callID: "api-call-1")
        #expect(alice.anyRequest("INVITE", timeout: 1.5) == nil, "a released agent must not be rung")
        let waiting = sup("GET", "/v1/queues/support/calls").array
        #expect(waiting.map { $0["id"] as? String } == ["api-call-1"])
        #expect(waiting.first?["stage"] as? String == "waiting")
        #expect(sup("GET", "/v1/queues/support").object["waiting"] as? Int == 1)

        // Available again: she is rung at once.
        #expect(sup("PUT", "/v1/agents/alice/state", body: #"{"state": "available"}"#).status == 200)
        let ring = try #require(alice.anyRequest("INVITE"), "an available agent must be rung")
        #expect(ring.header("X-CC-Call") == "api-call-1")
        alice.respond(200, to: ring)
        _ = alice.request("ACK", ring.callID)
        let ok = try #require(customer.finalResponse("api-call-1", method: "INVITE"))
        #expect(ok.status == 200)
        _ = customer.inDialog("ACK", invite: invite, answer: ok, cseq: 1)

        // The live call, and a state change her state machine forbids while on it.
        let live = sup("GET", "/v1/calls/api-call-1").object
        #expect(live["stage"] as? String == "answered")
        #expect(live["agents"] as? [String] == ["alice"])
        let onCall = aliceAPI("PUT", "/v1/agents/alice/state", body: #"{"state": "available"}"#)
        #expect(onCall.status == 409)
        #expect(onCall.object["field"] as? String == "state")
        #expect(onCall.headers["content-type"] == "application/problem+json")

        // The caller hangs up; alice is in wrap-up (60 s) until she says done, with notes.
        _ = customer.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(Self.eventually { sup("GET", "/v1/agents/alice").object["state"] as? String == "wrapup" })
        let done = aliceAPI("POST", "/v1/agents/alice/wrapup", body: #"{"notes": "refund promised, call back Friday"}"#)
        #expect(done.status == 200, "\(done.text)")
        #expect(sup("GET", "/v1/agents/alice").object["state"] as? String == "available")
        #expect(Self.eventually {
            (sup("GET", "/v1/records").object["items"] as? [[String: Any]])?.first?["notes"] as? String == "refund promised, call back Friday"
        })
        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        #expect(try store.notes(of: "api-call-1") == "refund promised, call back Friday")
        let csv = sup("GET", "/v1/records?format=csv")
        #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.text.contains("api-call-1,support,support,alice,carol,"))
        #expect(csv.text.contains("\"refund promised, call back Friday\""))
        #expect(sup("GET", "/v1/agents/alice").object["calls_today"] as? Int == 1)
    }

    @Test func everyTokenAndRoleCaseGetsTheRightStatus() throws {
        let (engine, api, _) = try Self.start("api-roles", rtp: "26500-26599")
        defer { engine.stop() }
        let none = api("GET", "/v1/agents")
        #expect(none.status == 401)
        #expect(none.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(api("GET", "/v1/agents", token: "not-a-token").status == 401)
        #expect(api("GET", "/v1/agents", token: Self.tokens["old"]).status == 401, "an expired token is refused")
        #expect(api("GET", "/v1/agents/alice", token: Self.tokens["alice"]).status == 200)
        #expect(api("GET", "/v1/agents/bob", token: Self.tokens["alice"]).status == 403, "another agent's")
        #expect(api("PUT", "/v1/agents/bob/state", body: #"{"state": "logged-out"}"#, token: Self.tokens["alice"]).status == 403)
        #expect(api("GET", "/v1/queues", token: Self.tokens["alice"]).status == 403)
        #expect(api("GET", "/v1/records", token: Self.tokens["alice"]).status == 403)
        let mine = api("GET", "/v1/agents", token: Self.tokens["alice"]).array
        #expect(mine.map { $0["login"] as? String } == ["alice"], "an agent token lists its own agent only")
        #expect(api("PUT", "/v1/queues/support/weight", body: #"{"weight": 3}"#, token: Self.tokens["sup"]).status == 403)
        #expect(api("PUT", "/v1/queues/support/weight", body: #"{"weight": 3}"#, token: Self.tokens["admin"]).status == 200)
        #expect(api("GET", "/v1/queues/support", token: Self.tokens["sup"]).object["weight"] as? Int == 3)
        #expect(api("GET", "/v1/health").status == 200)

        // Failed attempts from one source are limited (8 a minute here; 3 so far): then even a
        // good token from it waits.
        for _ in 0..<5 { _ = api("GET", "/v1/agents", token: "guess") }
        let limited = api("GET", "/v1/agents", token: Self.tokens["sup"])
        #expect(limited.status == 429)
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 > 0)
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        for token in Self.tokens.values + ["guess", "not-a-token"] { #expect(!log.contains(token), "a token reached the log") }
    }

    @Test func badRequestsGetProblemDetailsNamingTheFieldAndChangeNothing() throws {
        let (engine, api, port) = try Self.start("api-bad-input", rtp: "26600-26699")
        defer { engine.stop() }
        let sup = HTTPTestClient(base: api.base, token: Self.tokens["sup"])
        let admin = HTTPTestClient(base: api.base, token: Self.tokens["admin"])
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        #expect(Self.eventually { sup("GET", "/v1/agents/alice").object["state"] as? String == "available" })
        func problem(_ a: HTTPTestClient.Answer, _ status: Int, field: String?, _ comment: Comment) {
            #expect(a.status == status, comment)
            #expect(a.headers["content-type"] == "application/problem+json", comment)
            #expect(a.object["status"] as? Int == status, comment)
            #expect(!((a.object["detail"] as? String) ?? "").isEmpty, comment)
            if let field { #expect(a.object["field"] as? String == field, comment) }
        }
        let state = "/v1/agents/alice/state"
        problem(sup("PUT", state, body: #"{"state": "released""#), 400, field: nil, "malformed JSON")
        problem(sup("PUT", state, body: #"["released"]"#), 400, field: nil, "not an object")
        problem(sup("PUT", state, body: #"{"state": "released", "colour": "red"}"#), 422, field: "colour", "unknown member")
        problem(sup("PUT", state, body: #"{"state": 7}"#), 422, field: "state", "wrong type")
        problem(sup("PUT", state, body: #"{"state": "sleeping"}"#), 422, field: "state", "unknown state")
        problem(sup("PUT", state, body: #"{"state": "released", "reason": "a b"}"#), 422, field: "reason", "bad reason code")
        problem(sup("PUT", state, body: #"{"state": "released", "label": "\#(String(repeating: "x", count: 300))"}"#), 413, field: nil, "over max_body_bytes (256)")
        problem(sup("PUT", "/v1/agents/zed/state", body: #"{"state": "available"}"#), 404, field: "agent", "unknown agent")
        problem(admin("PUT", "/v1/queues/sales/weight", body: #"{"weight": 2}"#), 404, field: "queue", "unknown queue")
        problem(admin("PUT", "/v1/queues/support/weight", body: #"{"weight": 0}"#), 422, field: "weight", "weight out of range")
        problem(admin("PUT", "/v1/queues/support/weight", body: #"{"weight": true}"#), 422, field: "weight", "a boolean is not a number")
        problem(sup("POST", "/v1/agents/alice/wrapup", body: #"{"notes": "x"}"#), 409, field: "state", "not in wrap-up")
        problem(sup("DELETE", "/v1/calls/no-such-call"), 404, field: "call", "unknown call")
        problem(sup("GET", "/v1/records?limit=0"), 422, field: "limit", "limit out of range")
        problem(sup("GET", "/v1/records?from=yesterday"), 422, field: "from", "not a number")
        // Nothing changed.
        #expect(sup("GET", "/v1/agents/alice").object["state"] as? String == "available")
        #expect(sup("GET", "/v1/queues/support").object["weight"] as? Int == 1)
        #expect(engine.isRunning)
    }

    @Test func drainAndResumeThroughTheAPITakeTheNodeOutOfRotationAndBack() throws {
        let (engine, api, port) = try Self.start("api-drain", rtp: "27400-27499")
        defer { engine.stop() }
        let admin = HTTPTestClient(base: api.base, token: Self.tokens["admin"])
        #expect(api("POST", "/v1/drain", token: Self.tokens["sup"]).status == 403)
        #expect(admin("POST", "/v1/drain").status == 200)
        let caller = RawPhone("carol", engine: port)
        _ = caller.invite("support", callID: "drained-1")
        let refused = try #require(caller.finalResponse("drained-1", method: "INVITE"))
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(admin("POST", "/v1/resume").status == 200)
        _ = caller.invite("support", callID: "resumed-1")
        #expect(caller.receive { $0.status == 100 && $0.callID == "resumed-1" } != nil, "accepted again (it waits: no agent)")
    }
}
