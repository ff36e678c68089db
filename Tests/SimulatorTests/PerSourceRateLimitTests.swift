import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// `overload.per_source` and `overload.max_calls_per_second` on a real engine: a source sending new INVITEs (or REGISTERs) faster
/// than its rate gets 503 with Retry-After at once, statelessly (no row), and the calls within
/// its rate are taken.
@Suite(.serialized) struct PerSourceRateLimitTests {
    @Test func invitesAndRegistersOverASourcesRateGet503WithRetryAfter() throws {
        // One token per 20 s: no refill during the test.
        let (engine, port, dir) = try Self.start("per-source", rtp: "25700-25799",
                                                 overload: "{per_source: {invites_per_second: 0.05, registers_per_second: 0.05, burst: 2}}")
        defer { engine.stop() }
        let caller = RawPhone("carol", engine: port)
        for i in 1...4 { _ = caller.invite("support", callID: "limited-\(i)") }
        var statuses: [String: Int] = [:]
        var retryAfter: [String?] = []
        for _ in 0..<8 {
            guard let r = caller.receive(timeout: 3, { $0.status == 100 || $0.status == 503 }) else { break }
            statuses[r.callID] = max(statuses[r.callID] ?? 0, r.status ?? 0)
            if r.status == 503 { retryAfter.append(r.header("Retry-After")) }
            if statuses.count == 4, statuses.values.filter({ $0 == 503 }).count == 2 { break }
        }
        #expect(statuses["limited-1"] == 100 && statuses["limited-2"] == 100, "the burst of 2 is taken: \(statuses)")
        #expect(statuses["limited-3"] == 503 && statuses["limited-4"] == 503, "over the rate: \(statuses)")
        #expect(retryAfter.allSatisfy { $0 == "9" })

        let agent = RawPhone("alice", engine: port)
        #expect(agent.register())
        #expect(agent.register())
        #expect(!agent.register(), "the third REGISTER within a second is over the burst")
        ShutdownAndRestartTests.waitForLog(engine, "per-source rate limit: refused")  // logged at the next load report
        engine.stop()
        let rows = try CallRecordStore(directory: dir + "/engine-state").all()
        #expect(Set(rows.map(\.callID)) == ["limited-1", "limited-2"], "refused calls have no row: \(rows.map(\.callID))")
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("per-source rate limit: refused"), "\(log)")
    }

    /// `overload.max_calls_per_second` caps new calls from all callers together (no per-source
    /// limit set): with a cap of 1/s, the first of two callers' INVITEs sent at once is taken, the
    /// other caller gets 503 with Retry-After at once and no row; the refusal is logged.
    @Test func theCallRateCapRefusesNewCallsFromEverySourceOverIt() throws {
        let (engine, port, dir) = try Self.start("call-rate-cap", rtp: "33700-33799", overload: "{max_calls_per_second: 1}")
        defer { engine.stop() }
        let carol = RawPhone("carol", engine: port), dave = RawPhone("dave", engine: port)
        _ = carol.invite("support", callID: "capped-1")
        _ = dave.invite("support", callID: "capped-2")
        let first = carol.receive(timeout: 3) { $0.status == 100 || $0.status == 503 }
        let second = dave.receive(timeout: 3) { $0.status == 100 || $0.status == 503 }
        #expect(first?.status == 100, "the first call is within the cap")
        #expect(second?.status == 503 && second?.header("Retry-After") == "9", "\(String(describing: second))")
        ShutdownAndRestartTests.waitForLog(engine, "call rate cap: 1 new calls refused")
        engine.stop()
        let rows = try CallRecordStore(directory: dir + "/engine-state").all()
        #expect(rows.map(\.callID) == ["capped-1"], "a refused call has no row: \(rows.map(\.callID))")
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("call rate cap: 1 new calls refused with 503 over max_calls_per_second 1"), "\(log)")
    }

    /// An engine on a free port with these relay ports and `overload` section (Retry-After 9),
    /// answering OPTIONS; returns it, its SIP port and its folder.
    static func start(_ name: String, rtp: String, overload: String) throws -> (EngineProcess, Int, String) {
        let port = RawUDP().port
        let dir = E2E.tempDirectory(name)
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: \(rtp)}
            overload: \(overload)
            shutdown: {grace: 0, retry_after: 9}
            queues: [{name: support}]
            agents: [{login: alice}]
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        #expect(FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 50))
        return (engine, port, dir)
    }
}
