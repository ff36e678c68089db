import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// `priority: realtime` reaches the running engine: its SIP loop and relay threads are SCHED_RR,
/// every other thread (the record store's writer among them) stays normal.
@Suite struct PriorityEndToEndTests {
    static let port = 25350

    /// (thread name, scheduling policy, realtime priority) of each thread of `pid`, from /proc
    /// (rt_priority is field 40, policy field 41).
    static func threads(of pid: Int32) -> [(name: String, policy: Int, rtPriority: Int)] {
        let dir = "/proc/\(pid)/task"
        let tids = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return tids.compactMap { tid in
            guard let stat = try? String(contentsOfFile: "\(dir)/\(tid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            let name = String(stat[stat.index(after: open)..<close])
            // Fields after the name start at field 3 (state); the policy is field 41.
            let rest = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard rest.count > 38, let policy = Int(rest[38]), let rt = Int(rest[37]) else { return nil }
            return (name, policy, rt)
        }
    }

    @Test func realtimeReachesTheSIPAndRelayThreadsOnly() throws {
        let dir = E2E.tempDirectory("priority")
        let yaml = """
            sip: {address: 127.0.0.1:\(Self.port)}
            media: {rtp_ports: 23400-23499}
            priority: realtime
            queues: [{name: support}]
            """
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: yaml, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: Self.port), logLevel: "info")
        defer { engine.stop() }
        let udp = RawUDP()
        var up = false
        for _ in 0..<50 where !up {
            udp.send(BadInputEndToEndTests.options(from: udp.port, to: Self.port), toPort: Self.port)
            up = udp.receive()?.hasPrefix("SIP/2.0 200") == true
        }
        try #require(up, "engine did not start; log: \(dir)/engine.log")
        // The socket answers before the startup line (and any priority warning) is logged.
        var log = ""
        for _ in 0..<100 where !log.contains("ccengine listening") {
            usleep(20_000)
            log = (try? String(contentsOfFile: dir + "/engine.log", encoding: .utf8)) ?? ""
        }
        let threads = Self.threads(of: engine.process.processIdentifier)
        let roundRobin = threads.filter { $0.policy == Int(SCHED_RR) }
        if log.contains("keeps normal priority") {
            // Not permitted here (no root, no CAP_SYS_NICE): the engine says so and runs on.
            #expect(roundRobin.isEmpty)
        } else {
            // The SIP event loop thread (NIO names it NIO-ELT-...) and the one relay worker.
            #expect(roundRobin.count == 2, "\(threads)")
            // The SIP loop above the relay, so busy relays never hold signalling up.
            #expect(roundRobin.contains { $0.name.hasPrefix("NIO-ELT") && $0.rtPriority == 11 }, "\(threads)")
            #expect(roundRobin.contains { $0.name == "rtp-relay-0" && $0.rtPriority == 10 }, "\(threads)")
            #expect(threads.count > roundRobin.count, "the other threads stay normal: \(threads)")
        }
        #expect(log.contains("priority=realtime"), "the startup line names it: \(log.prefix(600))")
    }
}
