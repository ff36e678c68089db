import Logging
import ServiceLifecycle
import UnixSignals

/// ccengine as a swift-service-lifecycle service. SIGUSR2 drains (new calls refused, nothing
/// stops), SIGUSR1 resumes, SIGHUP reloads the configuration (`EngineDriver.reload`). The first SIGTERM/SIGINT drains: new calls get
/// 503 with Retry-After while the calls in progress have `shutdown.grace` seconds to end; then,
/// or at a second SIGTERM/SIGINT, the rest are ended (BYE, CANCEL, 503) and recorded with reason
/// `engine-shutdown`, their records written and the engine stops.
public struct EngineService: Service {
    let driver: EngineDriver
    let logger: Logger

    public init(driver: EngineDriver, logger: Logger = Logger(label: "ccengine")) {
        self.driver = driver
        self.logger = logger
    }

    public func run() async throws {
        // Every SIGTERM/SIGINT counted from the start (ServiceLifecycle acts on the first and
        // ignores the rest): the second ends the calls at once, even when it comes before the
        // drain below has begun (a quick double Ctrl-C was lost in that gap).
        let (secondSignal, secondSignalIn) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let counter = Task {
            var count = 0
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                count += 1
                if count >= 2 { secondSignalIn.yield() }
            }
        }
        defer { counter.cancel() }
        try await driver.start()
        // SIGUSR2 drains without stopping (`ccengine drain`), SIGUSR1 resumes (`ccengine resume`):
        // a node leaves a cluster's rotation without cutting a call, and comes back.
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await signal in await UnixSignalsSequence(trapping: .sigusr1, .sigusr2, .sighup) {
                    switch signal {
                    case .sigusr2: await driver.drain()
                    case .sigusr1: await driver.resume()
                    default:
                        // SIGHUP: reload queues, agents, recipes and strategies (ccengine reload).
                        switch await driver.reload() {
                        case .done(let text): logger.notice("SIGHUP: configuration reloaded: \(text)")
                        case .refused(let why): logger.warning("SIGHUP: reload refused, the running configuration stays: \(why.detail)")
                        }
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await driver.drain()
        let grace = driver.config.shutdownGrace
        let calls = await driver.activeCalls()
        if calls > 0 {
            logger.notice("stopping: \(calls) calls in progress have \(grace) s to end (send SIGTERM again to end them now)")
            let ended = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await driver.waitForNoCalls(timeout: .seconds(grace)) }
                group.addTask {
                    for await _ in secondSignal { return false }
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !ended {
                let left = await driver.activeCalls()
                logger.notice("stopping: ending \(left) calls now")
                await driver.endAllCalls()
                // Their BYEs and CANCELs are answered (or time out) and their rows are written.
                _ = await driver.waitForNoCalls(timeout: .seconds(5))
            }
        }
        await driver.stop()
    }
}
