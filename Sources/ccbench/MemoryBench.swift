import Foundation
import Logging
import Simulator

/// `ccbench calls --memory`: the engine's resident memory over a long run of full call setups
/// (SIPp uac against ccsim agents, as `ccbench calls`): after the first 1,000 calls, after all of
/// them, and while it then sits idle, so memory that grows per call shows as a difference.
struct MemoryBench {
    var calls: Int
    var rate: Int
    var idleSeconds: Int
    var agents: Int
    var sipPort: Int
    var directory: String

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
    }

    func run() throws -> Result {
        guard let sipp = ["/usr/bin/sipp", "/usr/local/bin/sipp"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError.missingTool("sipp (Debian package sip-tester)")
        }
        let dir = directory
        let runSeconds = calls / max(rate, 1) + idleSeconds + 120
        let scenario = try BenchScenario.write(name: "memory", to: dir, sipPort: sipPort, agents: agents, answerDelay: "0s", seconds: runSeconds)
        var options = SimulationRun.Options(reportDirectory: dir)
        options.media = false
        options.quiet = true
        options.engineLogLevel = "warning"
        let simulation = BackgroundSimulation(scenario: scenario, options: options)
        defer { simulation.finish() }
        Thread.sleep(forTimeInterval: 3)  // engine up, agents registered
        let start = OverloadBench.engineRSSMB()
        func place(_ n: Int) throws -> (successful: Int, failed: Int) {
            try CallSetupBench.runSIPp(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(sipPort)", "-m", "\(n)", "-r", "\(rate)",
                                              "-nostdin", "-timeout", "\(n / max(rate, 1) + 60)s", "-p", "25300", "-buff_size", "1048576"], cwd: dir)
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
        return Result(calls: calls, rate: rate, successful: first.successful + rest.successful, failed: first.failed + rest.failed,
                      rssStartMB: start, rssAfterFirst1000MB: afterFirst, rssAfterAllMB: afterAll, rssIdleMB: idle, idleSeconds: idleSeconds)
    }
}
