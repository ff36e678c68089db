import Engine
import Foundation
import SIP

/// A ccengine child process that ccsim starts for a run and stops (SIGTERM, then waits) after it.
final class EngineProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    /// Starts `binary --config CONFIG --state STATE --sip ADDRESS`, logging to `log`.
    init(binary: String, configYAML: String, directory: String, sip: Endpoint, logLevel: String, timeScale: Double = 1) throws {
        let config = (directory as NSString).appendingPathComponent("engine.yaml")
        // ccsim stops its engine when the scenario is over: calls still up then are ended at once
        // (recorded `engine-shutdown`) rather than given the production drain's grace period.
        let yaml = configYAML.hasPrefix("shutdown:") || configYAML.contains("\nshutdown:") ? configYAML : configYAML + "\nshutdown: {grace: 0}\n"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        logPath = (directory as NSString).appendingPathComponent("engine.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", config, "--state", (directory as NSString).appendingPathComponent("engine-state"),
                             "--sip", sip.description, "--log-level", logLevel]
            + (timeScale == 1 ? [] : ["--time-scale", String(timeScale)])
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw SimulationError.engineStart("\(binary): \(error)")
        }
    }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM and wait (the engine flushes its records on the way out); SIGKILL after 10 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    var recordsPath: String { ((logPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("engine-state/calls.sqlite") }

    /// The engine binary beside this executable (both are products of one package).
    static func defaultBinary() -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("ccengine").path
    }
}
