import Foundation
import Logging
import Simulator

/// The ccsim run (a ccengine it starts, and its virtual agents) a SIP bench drives its load
/// against. `finish` cancels it and waits until it has stopped its engine (SIGTERM, SIGKILL after
/// 10 s), so no engine outlives the bench: cancelling without waiting left the engine running
/// after ccbench exited, holding the SIP port the next run needed.
final class BackgroundSimulation: @unchecked Sendable {
    private let task: Task<Void, Never>
    private let stopped = DispatchSemaphore(value: 0)
    private let outcome = Outcome()

    init(scenario: Scenario, options: SimulationRun.Options) {
        task = Task { [stopped, outcome] in
            defer { stopped.signal() }
            do {
                _ = try await SimulationRun(scenario: scenario, options: options, logger: Logger(label: "ccbench")).run()
            } catch {
                outcome.set(error)
            }
        }
    }

    /// Why the run ended before `finish`, if it did (a cancelled run is not a failure).
    var failure: (any Error)? { outcome.error.flatMap { $0 is CancellationError ? nil : $0 } }

    /// Cancels the run and waits (at most 30 s) until its engine has stopped.
    func finish() {
        task.cancel()
        _ = stopped.wait(timeout: .now() + 30)
    }

    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (any Error)?
        func set(_ error: any Error) { lock.withLock { value = error } }
        var error: (any Error)? { lock.withLock { value } }
    }
}
