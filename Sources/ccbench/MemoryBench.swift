import Engine
import Foundation
import Logging
import NIOConcurrencyHelpers
import Simulator

/// `ccbench calls --memory`: the engine's resident memory over a long run of full call setups
/// (SIPp uac against ccsim agents, as `ccbench calls`): after the first 1,000 calls, after all of
/// them, and while it then sits idle, so memory that grows per call shows as a difference.
/// With `inFlight`, then the memory per call in flight: that many calls bridged at once (each
/// with its relay legs and transactions), RSS against just before.
struct MemoryBench {
    var calls: Int
    var rate: Int
    var idleSeconds: Int
    var agents: Int
    var sipPort: Int
    var directory: String
    /// Calls held up together for the per-call figure (0: not measured).
    var inFlight = 0

    /// Relay ports for the run: four per bridged call in flight, below SIPp's port (25300) and
    /// the kernel's ephemeral range.
    var rtpPorts: String { "10000-\(10000 + max(1000, inFlight * 4 + 400) - 1)" }

    struct Result: Codable {
        var calls: Int
        var rate: Int
        var successful: Int
        var failed: Int
        var rssStartMB: Double
        var rssAfterFirst1000MB: Double
        var rssAfterAllMB: Double
        /// Sampled once a second while idle; the last one is the figure compared.
        var rssIdleMB: [Double]
        var idleSeconds: Int
        var rssIdleEndMB: Double { rssIdleMB.last ?? .nan }
        var growthMB: Double { rssIdleEndMB - rssAfterFirst1000MB }
        /// The in-flight phase: the most calls the engine held at once (its `pending` rows),
        /// RSS just before the phase and at that moment.
        var inFlightCalls: Int?
        /// Calls of the in-flight phase that SIPp counted failed.
        var inFlightFailed: Int?
        var rssBeforeInFlightMB: Double?
        var rssInFlightMB: Double?
        var kbPerCallInFlight: Double? {
            guard let n = inFlightCalls, n > 0, let a = rssBeforeInFlightMB, let b = rssInFlightMB else { return nil }
            return (b - a) * 1024 / Double(n)
        }
    }

    func run() throws -> Result {
        guard let sipp = ["/usr/bin/sipp", "/usr/local/bin/sipp"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError.missingTool("sipp (Debian package sip-tester)")
        }
        let dir = directory
        // The in-flight phase places its calls, then holds them all up 5 s more.
        let runSeconds = calls / max(rate, 1) + idleSeconds + 120 + (inFlight > 0 ? 2 * (inFlight / max(rate, 1)) + 65 : 0)
        let scenario = try BenchScenario.write(name: "memory", to: dir, sipPort: sipPort, agents: max(agents, inFlight + 50), answerDelay: "0s",
                                               seconds: runSeconds, rtpPorts: rtpPorts)
        var options = SimulationRun.Options(reportDirectory: dir)
        options.media = false
        options.quiet = true
        options.engineLogLevel = "warning"
        let simulation = BackgroundSimulation(scenario: scenario, options: options)
        defer { simulation.finish() }
        Thread.sleep(forTimeInterval: 3)  // engine up, agents registered
        let start = OverloadBench.engineRSSMB()
        @Sendable func place(_ n: Int, holdMs: Int = 0) throws -> (successful: Int, failed: Int) {
            try CallSetupBench.runSIPp(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(sipPort)", "-m", "\(n)", "-r", "\(rate)", "-d", "\(holdMs)",
                                              "-nostdin", "-timeout", "\(n / max(rate, 1) + holdMs / 1000 + 60)s", "-p", "25300", "-buff_size", "1048576"], cwd: dir)
        }
        let first = try place(1000)
        let afterFirst = OverloadBench.engineRSSMB()
        print(String(format: "  after 1,000 calls: RSS %.1f MB (start %.1f MB)", afterFirst, start))
        let rest = try place(calls - 1000)
        let afterAll = OverloadBench.engineRSSMB()
        print(String(format: "  after %d calls: RSS %.1f MB; idle for %d s...", calls, afterAll, idleSeconds))
        var idle: [Double] = []
        for _ in 0..<idleSeconds {
            Thread.sleep(forTimeInterval: 1)
            idle.append(OverloadBench.engineRSSMB())
        }
        var result = Result(calls: calls, rate: rate, successful: first.successful + rest.successful, failed: first.failed + rest.failed,
                            rssStartMB: start, rssAfterFirst1000MB: afterFirst, rssAfterAllMB: afterAll, rssIdleMB: idle, idleSeconds: idleSeconds)
        if inFlight > 0 {
            let store = try CallRecordStore(directory: dir + "/engine-state")
            result.rssBeforeInFlightMB = OverloadBench.engineRSSMB()
            // Each call held until all are placed and 5 s more: all up together meanwhile.
            let holdMs = inFlight * 1000 / max(rate, 1) + 5000
            print(String(format: "  %d calls in flight (held %.1f s each)...", inFlight, Double(holdMs) / 1000))
            let placed = NIOLockedValueBox<Swift.Result<(successful: Int, failed: Int), any Error>?>(nil)
            let thread = Thread {
                let outcome = Swift.Result { try place(inFlight, holdMs: holdMs) }
                placed.withLockedValue { $0 = outcome }
            }
            thread.start()
            var most = 0, rssAtMost = Double.nan
            while placed.withLockedValue({ $0 }) == nil {
                Thread.sleep(forTimeInterval: 0.5)
                let n = (try? store.callsInProgress()) ?? 0
                if n > most { most = n; rssAtMost = OverloadBench.engineRSSMB() }
            }
            let held = try placed.withLockedValue { $0 }!.get()
            result.inFlightFailed = held.failed
            result.inFlightCalls = most
            result.rssInFlightMB = rssAtMost
        }
        return result
    }
}
