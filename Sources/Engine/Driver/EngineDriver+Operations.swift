import EngineCore
import Foundation
import Logging
import NIOCore

/// The driver's one way in for other services (the API, signals, `ccengine drain`): drain and
/// resume, ending every call, operators' commands, the consistent snapshot, reloading the
/// configuration and following the calls in progress. Each runs on the engine's loop.
extension EngineDriver {
    /// Stops accepting calls (503 with Retry-After); calls in progress go on.
    public func drain() async {
        try? await loop.submit { self.feed(.drain) }.get()
    }

    /// Accepts calls again after `drain` (not once stopping).
    public func resume() async {
        try? await loop.submit { self.feed(.resume) }.get()
    }

    /// Ends every call now (BYE, CANCEL, 503), recorded with reason `engine-shutdown`.
    public func endAllCalls() async {
        try? await loop.submit { self.feed(.endAllCalls) }.get()
    }

    /// Carries out a command from outside SIP signalling on the engine's loop (the one way in).
    public func control(_ command: ControlCommand) async -> ControlOutcome {
        let stopping = ControlOutcome.refused(.init(.conflict, field: "engine", "the engine is stopping"))
        guard serving.withLockedValue({ $0 }) else { return stopping }
        return (try? await loop.submit { () -> ControlOutcome in
            let actions = self.core.handle(.control(command), now: self.now)
            self.perform(actions)
            for case .controlOutcome(let outcome) in actions { return outcome }
            return stopping
        }.get()) ?? stopping
    }

    /// The call center as it stands now, read on the engine's loop (consistent); nil once stopped.
    public func snapshot() async -> EngineSnapshot? {
        guard serving.withLockedValue({ $0 }) else { return nil }
        return try? await loop.submit { self.core.snapshot(now: self.now) }.get()
    }

    /// Reloads queues, agents, recipes and strategies from the configuration file into the running
    /// core without dropping a call. A bad file (named with file:line) or a change the live calls
    /// forbid is refused and the running configuration stays. Sections read only at start are
    /// named in the outcome as needing a restart.
    public func reload() async -> ControlOutcome {
        guard let configLoader else { return .refused(.init(.conflict, field: "config", "this engine was not started from a configuration file")) }
        let fresh: EngineConfig
        do {
            fresh = try configLoader()
        } catch {
            logger.warning("reload refused, the running configuration stays: \(error)")
            return .refused(.init(.invalid, field: "config", "\(error)"))
        }
        var routing = fresh.routing
        routing.originUnixTime = originWall
        let outcome = await control(.reload(RoutingReload(routing: routing, accounts: fresh.agents)))
        let restart = config.sectionsDiffering(from: fresh)
        if case .done(let text) = outcome, !restart.isEmpty {
            logger.notice("reload: \(restart.joined(separator: ", ")) changed in the file; they apply at the next start")
            return .done(text + "; needs a restart to apply: " + restart.joined(separator: ", "))
        }
        return outcome
    }

    /// Calls the core still holds (waiting, ringing, bridged, or finishing their legs).
    public func activeCalls() async -> Int {
        (try? await loop.submit { self.core.core.activeCalls }.get()) ?? 0
    }

    /// Waits (polling every 50 ms) until no call is left or `timeout` passes; true if none is left.
    /// Whether the calls in progress have all ended within `timeout`; gives up (false) at once
    /// when the task is cancelled (a second SIGTERM: the shutdown's wait for the grace period was
    /// cancelled, and this loop went on spinning until the grace period was over).
    public func waitForNoCalls(timeout: Duration) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end, !Task.isCancelled {
            if await activeCalls() == 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await activeCalls() == 0
    }
}
