import Bench
import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// 100,000 random and mutated SIP datagrams at a real engine (loopback, bounded): it keeps
/// running, answers OPTIONS, and its memory stays within the stated bound.
@Suite(.serialized) struct FloodEndToEndTests {
    /// Resident memory the flood may add. Most datagrams are refused by SIPIngress before any state
    /// exists; the parseable ones open a server transaction that lives 32 s (Timer J/H), about 1 KB
    /// each. Measured here: +13.5 MB for 100,000 datagrams at up to 20,000/s (41.8 -> 55.4 MB).
    static let rssBoundMB = 100.0

    @Test func engineSurvivesTheFloodAndKeepsAnswering() throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("flood")
        let config = """
            sip: {address: 127.0.0.1:\(port)}
            media: {rtp_ports: 24200-24299}
            queues: [{name: support}]
            agents: [{login: alice, password: alice-secret}]
            """
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: config, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "notice")
        defer { engine.stop() }
        let probe = RawUDP()
        try #require(Self.answersOptions(probe, port: port, tries: 50), "engine did not start; \(engine.logPath)")

        // OPTIONS probes from their own socket all through the flood (ccbench flood's watch).
        let watch = try EngineWatch(host: "127.0.0.1", port: port, interval: 0.1, pid: engine.process.processIdentifier)
        watch.start()
        let result = try SIPFlood(port: port, count: 100_000, rate: 20_000, seed: 42).run()
        let during = watch.stop()
        #expect(result.sent == 100_000)
        #expect(engine.isRunning)
        #expect(during.probesAnswered > 0, "OPTIONS during the flood: \(during)")
        #expect(Self.answersOptions(probe, port: port, tries: 20))
        let before = try #require(during.rssStartMB), after = Self.rssMB(engine.process.processIdentifier)
        #expect(after - before < Self.rssBoundMB, "RSS \(before) MB -> \(after) MB")
        print("flood: \(result.sent) datagrams in \(String(format: "%.1f", result.seconds)) s, \(result.responsesSeen) answers; OPTIONS answered \(during.probesAnswered) of \(during.probesSent) during it, longest silence \(String(format: "%.2f", during.longestSilenceSeconds)) s; engine RSS \(before) -> \(after) MB")
    }

    static func answersOptions(_ udp: RawUDP, port: Int, tries: Int) -> Bool {
        for _ in 0..<tries {
            udp.send(BadInputEndToEndTests.options(from: udp.port).replacingOccurrences(of: "\(BadInputEndToEndTests.port)", with: "\(port)"), toPort: port)
            while let r = udp.receive() {
                if r.hasPrefix("SIP/2.0 200") && r.contains("OPTIONS") { return true }
            }
        }
        return false
    }

    static func rssMB(_ pid: Int32) -> Double { ProcessMemory.residentMB(pid: pid) ?? 0 }
}
