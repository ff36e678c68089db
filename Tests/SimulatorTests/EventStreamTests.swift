import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// `/v1/events` against a real ccengine: a call's events arrive in order with consecutive
/// sequence numbers; a client that reconnects with an old number gets exactly what it missed; a
/// number the buffer cannot serve is answered `resync`; an agent's token sees its own events only.
@Suite(.serialized) struct EventStreamTests {
    /// Connects to the event stream with its own thread (see `BlockingWebSocket`).
    static func listen(_ port: Int, _ query: String) -> BlockingWebSocket {
        let ws = BlockingWebSocket(port: port, path: "/v1/events?" + query)
        #expect(ws.status == 101, "WebSocket handshake: \(ws.status)")
        return ws
    }

    /// Polls (bounded, `seconds`) until `condition` holds for what was received.
    static func until(_ r: BlockingWebSocket, seconds: Int = 10, _ condition: ([[String: Any]]) -> Bool) -> Bool {
        for _ in 0..<(seconds * 50) {
            if condition(r.messages) { return true }
            usleep(20_000)
        }
        return condition(r.messages)
    }

    @Test func aCallsEventsArriveInOrderAndAReconnectReplaysWhatWasMissed() throws {
        let (engine, api, port) = try OperationsAPITests.start("events", rtp: "26800-26899", routing: "{wrap_up: 0s}")
        defer { engine.stop() }
        let apiPort = Int(api.base.split(separator: ":").last!)!
        let sup = OperationsAPITests.tokens["sup"]!
        let live = Self.listen(apiPort, "access_token=\(sup)")
        defer { live.close() }
        #expect(Self.until(live) { $0.first?["type"] as? String == "hello" })

        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("support", callID: "ev-1")
        let ring = try #require(alice.anyRequest("INVITE"))
        alice.respond(200, to: ring)
        _ = alice.request("ACK", ring.callID)
        let ok = try #require(carol.finalResponse("ev-1", method: "INVITE"))
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(Self.until(live) { $0.contains { $0["type"] as? String == "agent.state" && $0["from"] as? String == "oncall" } })

        // In order, consecutive, each with its time.
        let events = Array(live.messages.dropFirst())
        let first = try #require(live.messages.first?["last_seq"] as? Int)
        let seqs = events.compactMap { $0["seq"] as? Int }
        #expect(seqs == Array((first + 1)...(first + events.count)), "no gap, no repeat")
        #expect(events.allSatisfy { ($0["time"] as? Double ?? 0) > 1_700_000_000 })
        let story = events.filter { $0["type"] as? String != "queue.figures" }.map { m in
            [m["type"], m["call"], m["agent"], m["from"], m["to"], m["disposition"]].compactMap { $0 as? String }.joined(separator: " ")
        }
        #expect(story == [
            "agent.state alice offline available",
            "call.queued ev-1",
            "call.offered ev-1 alice",
            "agent.state alice available ringing",
            "call.answered ev-1 alice",
            "agent.state alice ringing oncall",
            "call.ended ev-1 alice answered",
            "agent.state alice oncall available",
        ])
        let queued = try #require(events.first { $0["type"] as? String == "call.queued" })
        #expect((queued["caller"] as? [String: Any])?["id"] as? String == "carol")
        #expect(queued["position"] as? Int == 1)

        // A client that saw up to the call.queued event's predecessor reconnects: it gets the rest,
        // the same messages, byte for byte.
        let queuedSeq = try #require(queued["seq"] as? Int)
        let replay = Self.listen(apiPort, "access_token=\(sup)&after=\(queuedSeq - 1)")
        defer { replay.close() }
        let missed = live.raw.filter { t in
            ((try? JSONSerialization.jsonObject(with: Data(t.utf8))) as? [String: Any])?["seq"] as? Int ?? 0 >= queuedSeq
        }
        #expect(Self.until(replay) { $0.count >= missed.count })
        #expect(Array(replay.raw.prefix(missed.count)) == missed)

        // A number from beyond the feed (another run): resynchronise from the REST snapshot.
        let gap = Self.listen(apiPort, "access_token=\(sup)&after=999999999")
        defer { gap.close() }
        #expect(Self.until(gap) { $0.first?["type"] as? String == "resync" })

        // alice's own token from the start: her state and her call only; no queue figures, no
        // other callers' queueing.
        let mine = Self.listen(apiPort, "access_token=\(OperationsAPITests.tokens["alice"]!)&after=0")
        defer { mine.close() }
        #expect(Self.until(mine) { $0.count >= 6 })
        let types = mine.messages.compactMap { $0["type"] as? String }
        #expect(!types.contains("queue.figures") && !types.contains("call.queued"))
        #expect(mine.messages.allSatisfy { ($0["agent"] as? String) == "alice" })

        // Wrong or missing tokens are refused before the upgrade, as on every route.
        #expect(api("GET", "/v1/events").status == 401)
        #expect(api("GET", "/v1/events", token: sup).status == 426)
        #expect(api("GET", "/v1/events?after=x", token: sup).status == 422)
    }
}
