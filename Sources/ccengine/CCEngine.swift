import ArgumentParser
import Engine
import EngineAPI
import Foundation
import Logging
import ServiceLifecycle
import YAMLConfig

/// `ccengine [run] --config FILE` runs the engine (the default); `ccengine drain`, `resume` and
/// `reload` steer the engine already running on a configuration's state folder.
@main
struct CCEngine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccengine",
        abstract: "SIP call-center engine: agents register, customers call queues, calls are routed by skills and bridged.",
        discussion: """
            `ccengine --config FILE` runs the engine (the `run` subcommand is the default).
            `ccengine drain|resume|reload --config FILE` steer the engine running on that file's state folder.
            """,
        subcommands: [Run.self, Drain.self, Resume.self, Reload.self],
        defaultSubcommand: Run.self)
}

/// Runs the engine in the foreground until SIGTERM/SIGINT.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the engine in the foreground (the default subcommand).",
        discussion: """
            Configuration is a YAML file (see docs/configuration.md and Scenarios/engine.yaml).
            --sip and --state override the file's sip.address and state_dir.
            Call records are written to STATE/calls.sqlite; SIGTERM or SIGINT stops the engine cleanly.
            """)

    @Option(name: .long, help: "Configuration file (YAML).")
    var config: String

    @Option(name: .long, help: "SIP UDP address to listen on, HOST:PORT (default from the file, else 127.0.0.1:5060).")
    var sip: String?

    @Option(name: .long, help: "State folder for the call records database (created on first start).")
    var state: String?

    @Option(name: .long, help: "Scheduling of the SIP and relay threads: normal, high (nice -10) or realtime (SCHED_RR; needs root or CAP_SYS_NICE). Overrides the file's priority.")
    var priority: String?

    @Option(name: .long, help: "Routing seconds per real second, for simulations (overrides the file's time_scale; 1 in production).")
    var timeScale: Double?

    @Option(name: .long, help: "Seed for tags, branches, Call-IDs and routing tie-breaks, to replay a run exactly (logged at start; default: drawn from the clock).")
    var seed: UInt64?

    @Option(name: .long, help: "Log level: debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Log format on standard error: text (one readable line per event) or json (one JSON object per line, for log shippers).")
    var logFormat: String = "text"

    @Flag(name: .long, help: "Check the configuration and exit.")
    var check = false

    func run() async throws {
        let overrides = ConfigOverrides(file: config, sip: sip, state: state, priority: priority, timeScale: timeScale, seed: seed)
        let cfg = try overrides.loadOrExit()
        if check {
            print("\(config): OK (\(cfg.routing.queues.count) queues, \(cfg.agents.count) agents)")
            if let problem = cfg.priority.problemHere() {
                print("warning: priority \(cfg.priority.rawValue) cannot be applied here, the engine would run at normal priority: \(problem)")
            }
            return
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        guard logFormat == "text" || logFormat == "json" else {
            FileHandle.standardError.write(Data("ccengine: --log-format '\(logFormat)' is not text or json\n".utf8))
            throw ExitCode(2)
        }
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            var h = EscapingLogHandler(json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label))
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "ccengine")
        // Metrics go to Prometheus (served at the API's /metrics) when the API is on.
        let registry = cfg.api.map(EngineAPI.bootstrapMetrics)
        let driver = try EngineDriver(config: cfg, logger: logger)
        driver.configLoader = { try overrides.load() }
        // The API beside the SIP service: started with it, stopped first on SIGTERM.
        var services: [any Service] = [EngineService(driver: driver, logger: logger)]
        if let api = cfg.api { services.append(EngineAPI(driver: driver, config: api, metrics: registry, logger: logger).application()) }
        let group = ServiceGroup(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        do {
            try await group.run()
        } catch let error as EngineDriver.StartError {
            FileHandle.standardError.write(Data("ccengine: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
