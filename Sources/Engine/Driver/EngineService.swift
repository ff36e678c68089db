import Logging
import ServiceLifecycle

/// ccengine as a swift-service-lifecycle service: serves until SIGTERM/SIGINT, then stops cleanly
/// (timers cancelled, socket closed, pending records flushed).
public struct EngineService: Service {
    let driver: EngineDriver

    public init(driver: EngineDriver) { self.driver = driver }

    public func run() async throws {
        try await driver.start()
        try? await gracefulShutdown()
        await driver.stop()
    }
}
