import ArgumentParser
import Foundation

/// The engine a control subcommand steers: the one running on this configuration's state folder.
struct RunningEngine: ParsableArguments {
    @Option(name: .long, help: "The running engine's configuration file (YAML); its state folder leads to the engine.")
    var config: String

    @Option(name: .long, help: "The state folder, when the engine was started with --state.")
    var state: String?

    func control() throws -> EngineControl {
        let cfg = try ConfigOverrides(file: config, state: state).loadOrExit()
        return EngineControl(stateDirectory: cfg.stateDirectory)
    }
}

/// `ccengine drain`: out of rotation without stopping (a cluster node's upgrade, a proxy's failover).
struct Drain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take the running engine out of rotation: new calls get 503 with Retry-After, calls in progress go on, nothing stops (SIGUSR2).")

    @OptionGroup var engine: RunningEngine

    @Option(name: .long, help: "Wait up to this many seconds until no call is in progress (exit 1 if some still are).")
    var wait: Int?

    func run() throws { try engine.control().signal(SIGUSR2, waitSeconds: wait) }
}

/// `ccengine resume`: back into rotation after `drain`.
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Let the running engine accept new calls again after drain (SIGUSR1).")

    @OptionGroup var engine: RunningEngine

    func run() throws { try engine.control().signal(SIGUSR1, waitSeconds: nil) }
}

/// `ccengine reload`: the configuration file again, without dropping a call.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the running engine reload queues, agents, recipes and strategies from its file without dropping a call (SIGHUP); its log says what changed or why it was refused.")

    @OptionGroup var engine: RunningEngine

    func run() throws { try engine.control().signal(SIGHUP, waitSeconds: nil) }
}
