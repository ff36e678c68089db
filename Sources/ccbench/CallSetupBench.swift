import Foundation
import Logging
import Simulator

/// `ccbench calls`: full call setups per second through a real ccengine — SIPp's built-in `uac`
/// (INVITE, 100, 180, 200, ACK, BYE, 200) against the queue, answered by ccsim's virtual agents
/// (signalling only) — ramped until a step has failed calls. Beside it, the reference: the same
/// SIPp `uac` against SIPp's own `uas` at the same rates (no engine in the path).
struct CallSetupBench {
    var rates: [Int]
    var secondsPerStep: Int
    var agents: Int
    var sipPort: Int
    var pcap: String? = nil
    var directory: String

    struct Step: Codable {
        var rate: Int
        var calls: Int
        var successful: Int
        var failed: Int
        var seconds: Double
        var referenceSuccessful: Int
        var referenceFailed: Int
    }

    static func table(_ steps: [Step], best: Int) -> String {
        steps.map { String(format: "%5d calls/s: %6d calls, %6d ok, %4d failed in %5.1f s   reference (SIPp uac -> uas): %6d ok, %4d failed",
                           $0.rate, $0.calls, $0.successful, $0.failed, $0.seconds, $0.referenceSuccessful, $0.referenceFailed) }
            .joined(separator: "\n") + "\nsustained with 0 failures: \(best) call setups/s"
    }

    func run() throws -> [Step] {
        guard let sipp = ["/usr/bin/sipp", "/usr/local/bin/sipp"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError.missingTool("sipp (Debian package sip-tester)")
        }
        let dir = directory
        let scenario = try BenchScenario.write(name: "calls", to: dir, sipPort: sipPort, agents: agents, answerDelay: "0s",
                                               seconds: rates.count * (secondsPerStep + 15) * 2 + 30)
        var options = SimulationRun.Options(reportDirectory: dir)
        options.media = false
        options.pcapPath = pcap
        options.quiet = true
        options.engineLogLevel = "warning"
        let simulation = BackgroundSimulation(scenario: scenario, options: options)
        defer { simulation.finish() }
        Thread.sleep(forTimeInterval: 3)  // engine up, agents registered
        var steps: [Step] = []
        for rate in rates {
            let calls = rate * secondsPerStep
            let start = Date()
            let engine = try Self.runSIPp(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(sipPort)", "-m", "\(calls)", "-r", "\(rate)",
                                              "-nostdin", "-timeout", "\(secondsPerStep + 20)s", "-p", "25300", "-buff_size", "1048576"], cwd: dir)
            let seconds = Date().timeIntervalSince(start)
            let reference = try Self.referenceRun(sipp, rate: rate, calls: calls, dir: dir)
            let step = Step(rate: rate, calls: calls, successful: engine.successful, failed: engine.failed, seconds: seconds,
                            referenceSuccessful: reference.successful, referenceFailed: reference.failed)
            print(String(format: "  %5d calls/s: %6d calls, %6d ok, %4d failed in %5.1f s   reference (SIPp uac -> uas): %6d ok, %4d failed",
                         rate, calls, step.successful, step.failed, seconds, step.referenceSuccessful, step.referenceFailed))
            steps.append(step)
            if step.failed > 0 || step.successful < calls { break }
        }
        return steps
    }

    static func referenceRun(_ sipp: String, rate: Int, calls: Int, dir: String) throws -> (successful: Int, failed: Int) {
        let uas = Process()
        uas.executableURL = URL(fileURLWithPath: sipp)
        uas.arguments = ["-sn", "uas", "-i", "127.0.0.1", "-p", "25310", "-nostdin", "-timeout", "120s"]
        uas.currentDirectoryURL = URL(fileURLWithPath: dir)
        uas.standardOutput = FileHandle.nullDevice
        uas.standardError = FileHandle.nullDevice
        try uas.run()
        Thread.sleep(forTimeInterval: 0.5)
        defer {
            // Our own child: stopped by its PID (it would stop by itself after -timeout).
            uas.terminate()
            uas.waitUntilExit()
        }
        return try runSIPp(sipp, ["-sn", "uac", "127.0.0.1:25310", "-m", "\(calls)", "-r", "\(rate)", "-nostdin", "-timeout", "60s", "-p", "25311", "-buff_size", "1048576"], cwd: dir)
    }

    static func runSIPp(_ path: String, _ args: [String], cwd: String) throws -> (successful: Int, failed: Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        func cumulative(_ label: String) -> Int {
            guard let line = text.components(separatedBy: "\n").last(where: { $0.contains(label) }) else { return 0 }
            return Int(line.split(separator: "|").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
        }
        return (cumulative("Successful call"), cumulative("Failed call"))
    }
}

enum BenchError: Error, CustomStringConvertible {
    case missingTool(String)
    /// The engine under test is gone (crashed or killed) before the bench was over.
    case engineExited(phase: String, log: String)
    /// The ccsim run (engine and agents) ended before the bench was over.
    case simulationEnded(phase: String, String)
    var description: String {
        switch self {
        case .missingTool(let t): "\(t) is not installed"
        case .engineExited(let phase, let log):
            "the engine exited during the \(phase) phase: its last lines are in \(log) (run with `ulimit -c unlimited` to keep a core dump)"
        case .simulationEnded(let phase, let why):
            "the ccsim run (engine and agents) ended during the \(phase) phase: \(why)"
        }
    }
}
