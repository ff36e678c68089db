import CallCenter
import Engine
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import Prometheus

/// ccengine's REST API (Hummingbird 2), served beside the SIP service in the same process and
/// service group: it reads consistent snapshots of the core and submits `ControlCommand`s to the
/// engine's loop (`EngineDriver.control`); it never touches the core's state from its own threads.
/// Routes are in `EngineAPI+*.swift`; docs/openapi.yaml describes them.
public struct EngineAPI: Sendable {
    let driver: EngineDriver
    let config: APIConfig
    let logger: Logger
    /// Offset of the center's local time from UTC (`routing.utc_offset`): where "today" starts.
    let utcOffset: Int
    /// Where `/metrics` reads from (`bootstrapMetrics`); nil: no `/metrics`.
    let registry: PrometheusCollectorRegistry?

    public init(driver: EngineDriver, config: APIConfig, metrics registry: PrometheusCollectorRegistry? = nil, logger: Logger) {
        self.driver = driver
        self.registry = registry
        self.config = config
        self.logger = logger
        self.utcOffset = driver.config.routing.utcOffsetSeconds
    }

    /// The Hummingbird application, a swift-service-lifecycle service. `onListening` gets the
    /// bound address (a port of 0 in the configuration asks the kernel for a free one).
    public func application(onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: APIContext.self)
        let auth = BearerAuthentication(config: config)
        addWebRoutes(router)  // static pages first: they need no token
        router.add(middleware: ProblemMiddleware(logger: logger))
        router.add(middleware: auth)
        router.get("/v1/health") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}"))) }
        addQueueRoutes(router)
        addAgentRoutes(router)
        addCallRoutes(router)
        addEventRoutes(router)
        addConfigurationRoutes(router)
        addMetricsRoute(router)
        let logger = self.logger
        return Application(
            router: router,
            server: .http1WebSocketUpgrade { [self] request, channel, _ in shouldUpgrade(request, channel: channel, auth: auth) },
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "ccengine"),
            onServerRunning: { channel in
                if let address = channel.localAddress {
                    logger.info("api listening", metadata: ["api": "\(address.ipAddress ?? config.listen.host):\(address.port ?? 0)"])
                    await onListening(address)
                }
            },
            logger: logger)
    }

    // MARK: Shared by the routes

    /// The snapshot, or 503 once the engine is stopping.
    func snapshot() async throws -> EngineSnapshot {
        guard let s = await driver.snapshot() else { throw Problem(.serviceUnavailable, "the engine is stopping") }
        return s
    }

    /// Unix time of the start of today in the center's local time.
    var startOfToday: Double {
        let now = Date().timeIntervalSince1970 + Double(utcOffset)
        return (now / 86_400).rounded(.down) * 86_400 - Double(utcOffset)
    }

    /// Runs a blocking database read off the event loops.
    func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(body)
        } catch {
            logger.error("the API could not read the state database: \(error)")
            throw Problem(.serviceUnavailable, "the state database could not be read; try again")
        }
    }

    /// A command's outcome as HTTP: 200 with what changed, or the refusal as problem details.
    func outcome(_ outcome: ControlOutcome) throws -> Response {
        switch outcome {
        case .done(let text):
            return try json(Representation.Outcome(result: text))
        case .refused(let r):
            let status: HTTPResponse.Status = switch r.kind {
            case .notFound: .notFound
            case .conflict: .conflict
            case .invalid: .unprocessableContent
            }
            throw Problem(status, r.detail, field: r.field)
        }
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
