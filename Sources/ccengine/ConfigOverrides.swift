import ArgumentParser
import Engine
import Foundation
import SIP

/// The configuration file and the command-line options that override it: read at start and
/// again on each reload (SIGHUP, the API), so a reload sees what the running engine saw.
struct ConfigOverrides: Sendable {
    struct Invalid: Error, CustomStringConvertible { let description: String }

    var file: String
    var sip: String?
    var state: String?
    var priority: String?
    var timeScale: Double?
    var seed: UInt64?

    /// `load()`, or its error on standard error and exit status 2.
    func loadOrExit() throws -> EngineConfig {
        do {
            return try load()
        } catch {
            FileHandle.standardError.write(Data("ccengine: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    func load() throws -> EngineConfig {
        var cfg = try EngineConfig.load(file: file)
        if let sip {
            guard let e = Endpoint(sip, defaultPort: 5060) else { throw Invalid(description: "--sip '\(sip)' is not HOST:PORT") }
            cfg.sip = e
        }
        if let state { cfg.stateDirectory = state }
        if let priority {
            guard let p = ThreadPriority(name: priority) else { throw Invalid(description: "--priority '\(priority)' is not one of normal, high, realtime") }
            cfg.priority = p
        }
        if let timeScale {
            guard timeScale > 0, timeScale <= 1000 else { throw Invalid(description: "--time-scale \(timeScale) must be above 0 and at most 1000") }
            cfg.timeScale = timeScale
        }
        if let seed {
            cfg.seed = seed
            cfg.routing.seed = seed
        }
        return cfg
    }
}
