import Logging
import ServiceLifecycle
import UnixSignals

/// ccengine as a swift-service-lifecycle service. The first SIGTERM/SIGINT drains: new calls get
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
        try await driver.start()
        try? await gracefulShutdown()
        await driver.drain()
        let grace = driver.config.shutdownGrace
        let calls = await driver.activeCalls()
        if calls > 0 {
            logger.notice("stopping: \(calls) calls in progress have \(grace) s to end (send SIGTERM again to end them now)")
            let ended = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await driver.waitForNoCalls(timeout: .seconds(grace)) }
                group.addTask {
                    // ServiceLifecycle ignores a second signal once shutting down; we watch for it.
                    for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { return false }
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
