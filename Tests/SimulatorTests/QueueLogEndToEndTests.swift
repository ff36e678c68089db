import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// A real ccengine's queue_log for answered (after a ring-no-answer), abandoned and timed-out
/// calls and an agent's pause: exactly the lines Asterisk's app_queue writes for the same calls
/// (REFERENCE §5), built here from what the test's phones saw and from the engine's records.
@Suite(.serialized) struct QueueLogEndToEndTests {
    @Test func queueLogHasTheLinesAsteriskWouldWrite() throws {
        let (engine, api, port) = try OperationsAPITests.start(
            "queue-log", rtp: "26700-26799", routing: "{retry_backoff: 500ms}",
            queue: "{name: support, max_wait: 2s, on_max_wait: hangup}", extra: "queue_log: {table: true}")
        defer { engine.stop() }
        let sup = HTTPTestClient(base: api.base, token: OperationsAPITests.tokens["sup"])
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())

        // 1. Answered after one ring-no-answer (alice refuses the first ring), hung up by the caller.
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("support", callID: "ql-answered")
        let first = try #require(alice.anyRequest("INVITE"))
        alice.respond(486, to: first)
        _ = alice.request("ACK", first.callID)
        let second = try #require(alice.receive { $0.method == "INVITE" && $0.callID != first.callID }, "not offered again")
        alice.respond(200, to: second)
        _ = alice.request("ACK", second.callID)
        let ok = try #require(carol.finalResponse("ql-answered", method: "INVITE"))
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(carol.finalResponse("ql-answered", method: "BYE")?.status == 200)

        // 2. alice pauses; a caller gives up waiting (CANCEL).
        #expect(sup("PUT", "/v1/agents/alice/state", body: #"{"state": "released", "reason": "lunch"}"#).status == 200)
        let dave = RawPhone("dave", engine: port)
        let waiting = dave.invite("support", callID: "ql-abandoned")
        #expect(dave.receive { $0.status == 100 && $0.callID == "ql-abandoned" } != nil)
        dave.send(Dialog.cancel(of: waiting))
        #expect(dave.finalResponse("ql-abandoned", method: "INVITE")?.status == 487)

        // 3. Another waits out the queue's max_wait (2 s).
        let erin = RawPhone("erin", engine: port)
        _ = erin.invite("support", callID: "ql-timeout")
        #expect(erin.finalResponse("ql-timeout", method: "INVITE")?.status == 480)

        // 4. alice is back.
        #expect(sup("PUT", "/v1/agents/alice/state", body: #"{"state": "available"}"#).status == 200)

        let path = ((engine.recordsPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("queue_log")
        var lines: [[String]] = []
        #expect(OperationsAPITests.eventually {
            lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
            return lines.last?[4] == "UNPAUSE"
        })
        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        let rows = Dictionary(uniqueKeysWithValues: try store.all().map { ($0.callID, $0) })
        let answered = try #require(rows["ql-answered"]), abandoned = try #require(rows["ql-abandoned"]), timedOut = try #require(rows["ql-timeout"])
        func s(_ x: Double) -> String { String(Int(x.rounded())) }
        // What Asterisk writes: `callid|queue|agent|EVENT|data...` (the epoch is checked below).
        let expected: [[String]] = [
            ["NONE", "NONE", "alice", "AGENTLOGIN", "PJSIP/alice"],
            ["ql-answered", "support", "NONE", "ENTERQUEUE", "", "carol", "1"],
            ["ql-answered", "support", "alice", "RINGNOANSWER", "*ms"],
            ["ql-answered", "support", "alice", "CONNECT", s(answered.answeredAt! - answered.enqueuedAt), second.callID, "*s"],
            ["ql-answered", "support", "alice", "COMPLETECALLER", s(answered.answeredAt! - answered.enqueuedAt), s(answered.endedAt - answered.answeredAt!), "1"],
            ["NONE", "NONE", "alice", "PAUSE", "lunch"],
            ["ql-abandoned", "support", "NONE", "ENTERQUEUE", "", "dave", "1"],
            ["ql-abandoned", "support", "NONE", "ABANDON", "1", "1", s(abandoned.endedAt - abandoned.enqueuedAt)],
            ["ql-timeout", "support", "NONE", "ENTERQUEUE", "", "erin", "1"],
            ["ql-timeout", "support", "NONE", "EXITWITHTIMEOUT", "1", "1", s(timedOut.endedAt - timedOut.enqueuedAt)],
            ["NONE", "NONE", "alice", "UNPAUSE", ""],
        ]
        #expect(lines.count == expected.count, "\(lines.map { $0.joined(separator: "|") })")
        for (got, want) in zip(lines, expected) {
            let fields = Array(got.dropFirst())
            #expect(fields.count == want.count, "\(got)")
            for (g, w) in zip(fields, want) {
                switch w {
                case "*ms": #expect((Int(g) ?? -1) >= 0 && (Int(g) ?? .max) < 10_000, "ring time in ms: \(got)")
                case "*s": #expect((Int(g) ?? -1) >= 0 && (Int(g) ?? .max) < 10, "ring time in s: \(got)")
                default: #expect(g == w, "\(got) vs \(want)")
                }
            }
        }
        // Epochs are whole Unix seconds, in order, within the calls' times.
        let epochs = lines.map { Int($0[0]) ?? 0 }
        #expect(epochs == epochs.sorted())
        #expect(epochs.first! >= Int(answered.enqueuedAt) - 5 && epochs.last! <= Int(Date().timeIntervalSince1970) + 1)
        #expect(Int(lines[9][0])! == Int(timedOut.endedAt))
        // The table (queue_log.table) holds the same lines with Asterisk realtime's columns.
        var table: [CallRecordStore.QueueLogRow] = []
        #expect(OperationsAPITests.eventually { table = (try? store.queueLogRows()) ?? []; return table.count == lines.count })
        #expect(table.map { [$0.callid, $0.queuename, $0.agent, $0.event, $0.data1] } == lines.map { Array($0[1...5]) })
        #expect(table.first?.time.count == "2026-12-03 04:12:28.000000".count)
    }
}
