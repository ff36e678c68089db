import CallCenter
import Foundation
import Logging
import Media
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIP

/// The engine's I/O driver: owns the SIP socket, the timers, the relay and the record store, and
/// feeds the pure `B2BUA` core. Everything touching the core runs on one event loop (`loop`), so
/// the core needs no locks.
public final class EngineDriver: @unchecked Sendable {
    public let config: EngineConfig
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private var core: SIPStack
    private var ingress = SIPIngress()
    private let relay: RTPRelay
    public let store: CallRecordStore
    private let storeQueue = DispatchQueue(label: "ccengine.records")
    /// Records waiting for the store's next write (see `writeRecord`).
    private let pendingRecords = NIOLockedValueBox<[(row: CallRecordStore.Row, record: CallRecord)]>([])
    /// How long a finished call's record may wait to share a transaction with others.
    static let recordBatchDelay: DispatchTimeInterval = .milliseconds(20)
    private var timers: LoopTimers<EngineTimer>!
    private let origin = NIODeadline.now()
    private let originWall = Date().timeIntervalSince1970
    private var channel: (any Channel)?
    public private(set) var recordsWritten = 0

    public init(config: EngineConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        self.loop = group.next()
        var routing = config.routing
        routing.originUnixTime = originWall
        let center = try CallCenter(config: routing)
        let host = config.advertisedHost ?? config.sip.host
        let settings = B2BUA.Settings(
            sip: Endpoint(host: host, port: config.sip.port), mediaHost: config.mediaHost,
            rtpPorts: config.rtpPorts, natPolicy: config.natPolicy, devices: config.devices, codecs: config.codecs)
        let b2bua = B2BUA(settings: settings, center: center, agents: Set(config.agents.map(\.login)),
                          queues: config.queueNames, seed: UInt64(originWall * 1_000_000),
                          authenticator: AgentAuthenticator(
                            realm: config.realm, accounts: config.agents, required: config.requireAuth,
                            secret: (0..<32).map { _ in UInt8.random(in: 0...255) }, algorithms: config.digestAlgorithms))
        self.core = SIPStack(core: b2bua)
        let priority = config.priority
        let warned = NIOLockedValueBox(false)
        self.relay = RTPRelay(group: group, host: config.mediaHost, threads: config.relayThreads, logger: logger) {
            guard let problem = priority.applyToCurrentThread(.media) else { return }
            if !warned.withLockedValue({ w in defer { w = true }; return w }) {
                logger.warning("relay threads keep normal priority: \(problem)")
            }
        }
        self.store = try CallRecordStore(directory: config.stateDirectory)
        self.timers = LoopTimers(loop: loop) { [unowned self] id, _ in feed(.timerFired(id)) }
    }

    /// Binds the SIP socket; returns once the engine is serving.
    public func start() async throws {
        let bootstrap = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: 32)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 65536))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SIPChannelHandler(driver: self)) }
            }
        let ch = try await bootstrap.bind(host: config.sip.host, port: config.sip.port).get()
        let priority = config.priority
        let problem = try await loop.submit {
            self.channel = ch
            if let next = self.core.core.nextMediaPorts { self.relay.prepare(callerPort: next.caller, agentPort: next.agent) }
            return priority.applyToCurrentThread(.signalling)
        }.get()
        if let problem { logger.warning("SIP thread keeps normal priority: \(problem)") }
        if let warning = Self.ephemeralOverlap(config.rtpPorts) { logger.warning("\(warning)") }
        logger.info("ccengine listening", metadata: ["sip": "\(config.sip)", "records": "\(store.path)", "queues": "\(config.queueNames.sorted())", "priority": "\(config.priority.rawValue)\(problem == nil ? "" : " (not applied)")"])
    }

    /// The kernel hands out ports in `ip_local_port_range` to every program's unbound sockets; a
    /// relay range inside it can find its ports taken (and then a call fails).
    static func ephemeralOverlap(_ range: ClosedRange<Int>) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else { return nil }
        let p = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard p.count == 2, range.overlaps(p[0]...p[1]) else { return nil }
        return "media.rtp_ports \(range.lowerBound)-\(range.upperBound) overlaps the kernel's ephemeral ports \(p[0])-\(p[1]): other sockets may take relay ports; choose a range outside it"
    }

    public func stop() async {
        try? await channel?.close()
        try? await loop.submit { self.timers.cancelAll() }.get()
        relay.shutdown()
        try? await group.shutdownGracefully()
        // The loop is gone: nothing adds a record after this.
        storeQueue.sync { flushRecords() }
    }

    var now: Duration { .nanoseconds((NIODeadline.now() - origin).nanoseconds) }

    func received(_ bytes: [UInt8], from address: SocketAddress) {
        loop.preconditionInEventLoop()
        let source = Endpoint(host: address.ipAddress ?? "0.0.0.0", port: address.port ?? 0)
        let t = now
        switch ingress.accept(bytes, from: source, now: t) {
        case .message(let m):
            perform(core.handle(.received(m, from: source), now: t))
        case .reply(let bytes, let line):
            if let line { logger.notice("\(line)") }
            write(bytes, to: source)
        case .drop(let line):
            if let line { logger.notice("\(line); dropped") }
        }
    }

    private func feed(_ event: EngineEvent) {
        loop.preconditionInEventLoop()
        perform(core.handle(event, now: now))
    }

    /// Media control first (binding a call's relay ports before the INVITE that advertises them
    /// goes out; cheap, never blocking; the relay threads are woken after the messages are out),
    /// then the messages, then timers, logs and records: what one event produces is all carried
    /// out before the next datagram is read.
    private func perform(_ actions: [EngineAction]) {
        for action in actions {
            switch action {
            case .openMedia(let call, let callerPort, let agentPort):
                relay.open(call: call, callerPort: callerPort, agentPort: agentPort, wake: false).whenFailure { [self] error in
                    loop.execute { self.feed(.mediaFailed(call, reason: "\(error)")) }
                }
            case .setMediaPeer(let call, let leg, let peer):
                relay.setPeer(call: call, leg: leg == .caller ? .caller : .agent, host: peer.host, port: peer.port, wake: false)
            default:
                break
            }
        }
        for action in actions {
            if case .send(let message, let to) = action {
                write(SIPCodec.encode(message), to: Endpoint(host: to.host, port: to.port), flush: false)
            }
        }
        channel?.flush()  // one sendmmsg for what this event sends
        relay.wakeDeferred()
        if actions.contains(where: { if case .openMedia = $0 { true } else { false } }), let next = core.core.nextMediaPorts {
            relay.prepare(callerPort: next.caller, agentPort: next.agent)  // the next call's, off its path
        }
        for action in actions {
            switch action {
            case .send, .openMedia, .setMediaPeer:
                break
            case .startTimer(let id, let at):
                timers.schedule(id, at: origin + .nanoseconds(Int64(at.components.seconds) * 1_000_000_000 + at.components.attoseconds / 1_000_000_000))
            case .cancelTimer(let id):
                timers.cancel(id)
            case .closeMedia(let call):
                relay.delete(call: call)
            case .record(let record):
                writeRecord(record)
            case .log(let level, let text, let call):
                var meta: Logger.Metadata = [:]
                if let call { meta["call.id"] = "\(call)" }
                logger.log(level: level.swiftLog, "\(text)", metadata: meta)
            }
        }
    }

    /// Records are written by the store's queue, at most `recordBatchDelay` after the call ends,
    /// together with the others that ended meanwhile (one transaction). Waking the store's
    /// thread for every call let it take the SIP loop's CPU for a whole SQLite commit on a
    /// 2-core machine (ccbench routing --e2e); `stop()` writes what is left. Stored first,
    /// logged after: a call the engine logs as ended is in the database.
    private func writeRecord(_ record: CallRecord) {
        let row = CallRecordStore.Row(record, origin: originWall)
        let first = pendingRecords.withLockedValue { pending in
            pending.append((row, record))
            return pending.count == 1
        }
        if first { storeQueue.asyncAfter(deadline: .now() + Self.recordBatchDelay) { [self] in flushRecords() } }
    }

    /// On `storeQueue`.
    private func flushRecords() {
        let batch = pendingRecords.withLockedValue { pending in
            defer { pending = [] }
            return pending
        }
        guard !batch.isEmpty else { return }
        // One transaction for the batch; if it fails, row by row, so one bad row loses only itself.
        let stored: [Error?]
        if (try? store.write(batch.map(\.row))) != nil {
            stored = Array(repeating: nil, count: batch.count)
        } else {
            stored = batch.map { item -> Error? in
                do { try store.write(item.row) } catch { return error }
                return nil
            }
        }
        for ((_, record), error) in zip(batch, stored) {
            if let error {
                logger.error("could not store the call record: \(error)", metadata: ["call.id": "\(record.callID)"])
            } else {
                logger.info("call ended", metadata: [
                    "call.id": "\(record.callID)", "queue": "\(record.queue)", "agent": "\(record.agent ?? "-")",
                    "disposition": "\(record.disposition.rawValue)", "reason": "\(record.endReason.rawValue)",
                ])
            }
        }
    }

    private func write(_ bytes: [UInt8], to endpoint: Endpoint, flush: Bool = true) {
        guard let channel, let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) else {
            logger.warning("cannot send to \(endpoint): not an IP address")
            return
        }
        let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes))
        if flush { channel.writeAndFlush(envelope, promise: nil) } else { channel.write(envelope, promise: nil) }
    }
}

extension LogLevel {
    var swiftLog: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
    }
}

final class SIPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let driver: EngineDriver
    init(driver: EngineDriver) { self.driver = driver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        driver.received(Array(envelope.data.readableBytesView), from: envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors from peers that went away: the socket keeps serving.
    }
}
