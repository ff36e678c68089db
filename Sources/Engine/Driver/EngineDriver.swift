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
    /// Why the engine could not start serving (e.g. its SIP port is held by another program).
    public struct StartError: Error, CustomStringConvertible { public let description: String }

    public let config: EngineConfig
    let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop
    var core: SIPStack
    private var ingress = SIPIngress()
    let relay: RTPRelay
    public let store: CallRecordStore
    var writer: StateWriter!
    /// Responses held until their call's row is on disk (see `mustFollowCommit`), in order.
    private var held: [(needs: UInt64, message: SIPMessage, to: Endpoint)] = []
    /// Calls whose row has a write not yet on disk: the sequence number of their last write.
    private var uncommitted: [String: UInt64] = [:]
    /// The highest state write on disk (on the loop).
    private var committedSeq: UInt64 = 0
    /// False once `stop` has begun: relay callbacks no longer feed the loop.
    let serving = NIOLockedValueBox(true)
    var trimmer = MemoryTrimmer()
    private var socketErrors = 0
    private var socketErrorLoggedAt: Duration = .seconds(-10)
    /// Kept from the last run, handed to the core at start.
    private var kept: DurableState = .empty
    private var timers: LoopTimers<EngineTimer>!
    private let origin = NIODeadline.now()
    /// Unix time of engine time zero.
    public let originWall = Date().timeIntervalSince1970
    /// What operators follow, numbered (API events, metrics).
    public let feed: OperationsFeed
    private var queueLog = QueueLog()
    let metrics = EngineMetrics()
    /// Queue figures as last published to the feed.
    var publishedFigures: [String: OperationsEvent.QueueFigures] = [:]
    private let queueLogFile: QueueLogFile?
    /// True while the SIP socket's datagrams are being read (from the first `channelRead` to
    /// `channelReadComplete`): what wakes other threads waits for the batch's end (`endOfRead`).
    private var reading = false
    /// queue_log lines for the file, written at the end of the read batch.
    private var queueLogPending: [QueueLog.Line] = []
    var channel: (any Channel)?
    /// The SIP socket's backlog last fed to the core (`readBatchEnded`).
    var lastBacklog = 0
    /// When a read batch last ended on an empty SIP socket (engine time).
    var socketEmptyAt: Duration = .zero
    /// SIP over TCP and TLS, when configured (`sip.tcp`, `sip.tls`).
    var streams: StreamTransport?
    /// The core's seed, logged at start (`ccengine --seed` replays it).
    public let seed: UInt64

    /// Reads the configuration again (SIGHUP, the API's reload), with the command line's overrides;
    /// set by the program before the engine starts. Nil: reload is refused.
    public var configLoader: (@Sendable () throws -> EngineConfig)?

    public init(config: EngineConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        self.loop = group.next()
        var routing = config.routing
        routing.originUnixTime = originWall
        let center = try CallCenter(config: routing)
        let host = config.advertisedHost ?? config.sip.host
        var settings = B2BUA.Settings(
            sip: Endpoint(host: host, port: config.sip.port), mediaHost: config.mediaHost,
            rtpPorts: config.rtpPorts, natPolicy: config.natPolicy, devices: config.devices, codecs: config.codecs,
            retryAfter: config.retryAfter, overload: config.overload, timeScale: config.timeScale)
        settings.perSource = config.perSource
        settings.streams = config.streams.transports
        settings.tlsPort = config.streams.tls?.port
        seed = config.seed ?? UInt64(originWall * 1_000_000)
        var b2bua = B2BUA(settings: settings, center: center, agents: Set(config.agents.map(\.login)),
                          queues: config.queueNames, seed: seed,
                          authenticator: AgentAuthenticator(
                            realm: config.realm, accounts: config.agents, required: config.requireAuth,
                            secret: Self.nonceSecret(replaying: config.seed), algorithms: config.digestAlgorithms))
        b2bua.queueMedia = config.queueMedia
        b2bua.menus = Dictionary(uniqueKeysWithValues: config.menus.map { ($0.name, $0) })
        b2bua.numbers = config.numbers
        b2bua.agentRecording = config.agentRecording
        self.core = SIPStack(core: b2bua)
        let priority = config.priority
        let warned = NIOLockedValueBox(false)
        // Every relay socket fits the descriptor table from the start (no growth stalls mid-load):
        // one per port of the range at most, with room for SIP, streams, files and spares.
        if let problem = DescriptorTable.reserve(config.rtpPorts.count + 2048) { logger.warning("\(problem)") }
        self.relay = RTPRelay(group: group, host: config.mediaHost, threads: config.relayThreads, logger: logger) {
            guard let problem = priority.applyToCurrentThread(.media) else { return }
            if !warned.withLockedValue({ w in defer { w = true }; return w }) {
                logger.warning("relay threads keep normal priority: \(problem)")
            }
        }
        self.store = try CallRecordStore(directory: config.stateDirectory)
        self.feed = OperationsFeed(origin: originWall)
        self.queueLogFile = config.queueLog.file
            ? try QueueLogFile(path: (config.stateDirectory as NSString).appendingPathComponent("queue_log"), logger: logger) : nil
        self.timers = LoopTimers(loop: loop) { [unowned self] id, _ in feed(.timerFired(id)) }
        self.writer = StateWriter(store: store, logger: logger) { [unowned self] seq in
            guard serving.withLockedValue({ $0 }) else { return }
            loop.execute { self.committed(seq) }
        }
        let writeLag = metrics.writeLag
        writer.lag = { writeLag.record($0) }
        if !config.streams.transports.isEmpty {
            streams = try StreamTransport(loop: loop, config: config.streams, maximumSize: ingress.maximumSize, delegate: .init(
                received: { [unowned self] bytes, source in received(bytes, from: source) },
                sendFailed: { [unowned self] message, reason in
                    logger.notice("could not send \(message.method ?? "a \(message.status ?? 0) response") (\(message.callID)): \(reason)")
                    feed(.sendFailed(message))
                },
                sendDatagram: { [unowned self] bytes, to in write(bytes, to: to) },
                log: { [logger] level, text in logger.log(level: level, "\(text)") }))
        }
    }

    /// The key of the digest nonces: random, or under `--seed` drawn from the seed so a replay
    /// sends the same challenges (predictable nonces: `--seed` is for replays and tests only).
    static func nonceSecret(replaying seed: UInt64?) -> [UInt8] {
        guard let seed else { return (0..<32).map { _ in UInt8.random(in: 0...255) } }
        var generator = IdentityGenerator(seed: seed ^ 0x6E6F_6E63_6573_6563, host: "")
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Binds the SIP socket; returns once the engine is serving.
    /// The SIP socket's settings (bound at start, and again if the socket is ever lost).
    private var sipBootstrap: DatagramBootstrap {
        DatagramBootstrap(group: loop)
            // No SO_REUSEADDR: with it a second engine could bind the same port and silently take half the traffic.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: Self.readVector)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.readVector * 65536))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SIPChannelHandler(driver: self)) }
            }
    }

    public func start() async throws {
        let bootstrap = sipBootstrap
        // A crash left calls open: they are closed as interrupted before anything else is served.
        let interrupted = try store.startRun(at: originWall, pid: getpid())
        if interrupted > 0 { logger.warning("\(interrupted) calls were cut by the engine's last stop (crash or kill); their rows are closed as interrupted") }
        kept = try store.durableState(origin: originWall)
        writer.start()
        let ch: any Channel
        do {
            ch = try await bootstrap.bind(host: config.sip.host, port: config.sip.port).get()
        } catch let error as IOError {
            throw StartError(description: PortHolder.bindFailure("the SIP socket", host: config.sip.host, port: config.sip.port, errno: error.errnoCode))
        }
        try await streams?.start(host: config.sip.host, tcpPort: ch.localAddress?.port ?? config.sip.port)
        let priority = config.priority
        let problem = try await loop.submit {
            self.adopt(ch)
            self.feed(.start(self.kept))
            self.probeLoad(due: NIODeadline.now() + Self.loadInterval)
            if self.config.api != nil { self.publishQueueFigures() }  // only API clients and /metrics read them
            return priority.applyToCurrentThread(.signalling)
        }.get()
        if let problem { logger.warning("SIP thread keeps normal priority: \(problem)") }
        if let warning = Self.ephemeralOverlap(config.rtpPorts) { logger.warning("\(warning)") }
        let transports = ["udp"] + (config.streams.tcp ? ["tcp"] : []) + (config.streams.tls.map { ["tls:\($0.port)"] } ?? [])
        logger.info("ccengine listening", metadata: ["sip": "\(config.sip)", "transports": "\(transports.joined(separator: ","))", "records": "\(store.path)", "queues": "\(config.queueNames.sorted())", "priority": "\(config.priority.rawValue)\(problem == nil ? "" : " (not applied)")", "seed": "\(seed)",
                                                "media_legs": "\(MediaPortPool(range: config.rtpPorts).capacity)"])
    }

    /// Takes `channel` as the SIP socket and watches it: NIO closes a datagram channel on a send
    /// error it deems fatal (e.g. EACCES or EINVAL from a destination a peer's Via named), which
    /// took the whole engine off the network in a million-datagram flood. If it is ever lost
    /// while serving, the same address is bound again at once and the loss is logged.
    private func adopt(_ channel: any Channel) {
        loop.preconditionInEventLoop()
        self.channel = channel
        channel.closeFuture.whenComplete { [self] _ in
            guard serving.withLockedValue({ $0 }) else { return }
            logger.error("the SIP socket \(config.sip) was closed unexpectedly; binding it again")
            self.channel = nil
            sipBootstrap.bind(host: config.sip.host, port: config.sip.port).whenComplete { [self] result in
                switch result {
                case .success(let ch): loop.execute { self.adopt(ch) }
                case .failure(let error): logger.critical("cannot bind the SIP socket \(config.sip) again: \(error)")
                }
            }
        }
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
        // State on disk first, then the responses that waited for it, then the socket.
        writer.finish()
        try? await loop.submit {
            self.committed(self.writer.lastQueued)
            self.timers.cancelAll()
        }.get()
        serving.withLockedValue { $0 = false }
        feed.finish()
        queueLogFile?.finish()
        try? await channel?.close()
        await streams?.stop()
        // The relay's own pacing over the run: frames played and frame-clock ticks that came
        // more than a frame late (what a receiver's timing cannot tell from network delay).
        logger.info("relay played \(relay.framesPlayed) frames, \(relay.lateTicks) ticks late, woke at most \(String(format: "%.1f", relay.maxTickLateness * 1000)) ms late")
        relay.shutdown()
        try? await group.shutdownGracefully()
        writer.finish()  // anything the last events queued
    }

    var now: Duration { .nanoseconds((NIODeadline.now() - origin).nanoseconds) }

    /// A datagram, or a framed message from a connection (`source` names its transport).
    func received(_ bytes: [UInt8], from source: Endpoint) {
        loop.preconditionInEventLoop()
        let t = now
        switch ingress.accept(bytes, from: source, now: t) {
        case .message(let m):
            metrics.sip(m, sent: false)
            perform(core.handle(.received(m, from: source), now: t))
        case .reply(let bytes, let line):
            if let line { logger.notice("\(line)") }
            if source.transport == .udp { write(bytes, to: source) } else { streams?.reply(bytes, to: source) }
        case .drop(let line):
            if let line { logger.notice("\(line); dropped") }
        }
    }

    func feed(_ event: EngineEvent) {
        loop.preconditionInEventLoop()
        perform(core.handle(event, now: now))
    }

    /// Media control first (binding a call's relay ports before the INVITE that advertises them
    /// goes out; cheap, never blocking; the relay threads are woken after the messages are out),
    /// then state writes, then the messages, then timers, operations events and logs, then the
    /// next call's ports:
    /// what one event produces is all carried out before the next datagram is read.
    func perform(_ actions: [EngineAction]) {
        var prepare: [Int] = []
        /// The write of registrations this event changed: its 200 to REGISTER waits for it.
        var bindingsWrite: UInt64?
        for action in actions {
            switch action {
            case .openMedia(let call, let leg, let port):
                relay.open(call: call, leg: leg == .caller ? .caller : .agent, port: port, wake: false).whenFailure { [self] error in
                    loop.execute { self.feed(.mediaFailed(call, reason: "\(error)")) }
                }
            case .setMediaPeer(let call, let leg, let peer):
                relay.setPeer(call: call, leg: leg == .caller ? .caller : .agent, host: peer.host, port: peer.port, wake: false)
            case .mapPayloadTypes(let call, let map):
                relay.setPayloadMap(call: call, callerToAgent: map, wake: false)
            case .playMedia(let call, let leg, let playback, let format):
                play(playback, to: call, leg, format)
            case .stopMedia(let call, let leg):
                relay.stopPlaying(call: call, leg: leg == .caller ? .caller : .agent, wake: false)
            case .recordCall(let call, let format, let maxSeconds):
                record(call, format, maxSeconds: maxSeconds)
            case .pauseRecording(let call, let paused):
                relay.pauseRecording(call: call, paused, wake: false)
            case .detectDigits(let call, let leg, let pt):
                relay.detectDigits(call: call, leg: leg == .caller ? .caller : .agent, payloadType: pt, wake: false) { [self] digit in
                    guard serving.withLockedValue({ $0 }) else { return }
                    loop.execute { self.feed(.digit(call, digit)) }
                }
            case .expectPayloadTypes(let call, let leg, let types):
                relay.expectPayloadTypes(call: call, leg: leg == .caller ? .caller : .agent, types, wake: false)
            case .watchQuiet(let call, let leg, let seconds):
                relay.watchQuiet(call: call, leg: leg == .caller ? .caller : .agent, seconds: Double(seconds), wake: false) { [self] in
                    guard serving.withLockedValue({ $0 }) else { return }
                    loop.execute { self.feed(.mediaQuiet(call, leg)) }
                }
            case .recordVoicemail(let call, let queue, let caller, let maxSeconds):
                recordVoicemail(call, queue: queue, caller: caller, maxSeconds: maxSeconds)
            case .saveMenuPath(let call, let path):
                writer.enqueue(.menuPath(callID: call, path.joined(separator: " ")))
            case .voicemailDelivered(let message, let item, let agent):
                writer.enqueue(.voicemailDelivered(callID: message.call, item: item, agent: agent, at: Date().timeIntervalSince1970))
            case .openRecord(let accepted):
                uncommitted[accepted.callID] = writer.enqueue(.call(.init(accepted: accepted, origin: originWall)))
            case .record(let record, let dialogs):
                let seq = writer.enqueue(.call(.init(record, origin: originWall)), ended: record)
                uncommitted[record.callID] = seq
                for dialog in dialogs { uncommitted[dialog] = seq }
            case .saveBindings(let agent, let bindings):
                bindingsWrite = writer.enqueue(.bindings(agent: agent, bindings.map { .init(agent: agent, $0, origin: originWall) }))
            case .saveRelease(let agent, let reason):
                writer.enqueue(.release(agent: agent, reason.map { .init(agent: agent, $0, since: Date().timeIntervalSince1970) }))
            case .saveWrapUp(let agent, let until):
                writer.enqueue(.wrapUp(agent: agent, until: until.map { originWall + $0.seconds }))
            case .prepareMedia(let ports):
                prepare = ports
            case .saveNotes(let call, let notes):
                writer.enqueue(.notes(callID: call, notes, at: Date().timeIntervalSince1970))
            default:
                break
            }
        }
        for action in actions {
            guard case .send(let message, let to) = action else { continue }
            metrics.sip(message, sent: true)
            if Self.mustFollowCommit(message), let needs = uncommitted[message.callID] {
                held.append((needs, message, to))
            } else if let needs = bindingsWrite, message.cseq.method == "REGISTER", (200..<300).contains(message.status ?? 0) {
                held.append((needs, message, to))
            } else {
                transmit(message, to: to)
            }
        }
        channel?.flush()  // one sendmmsg for what this event sends
        for action in actions {
            switch action {
            case .startTimer(let id, let at):
                timers.schedule(id, at: origin + .nanoseconds(Int64(at.components.seconds) * 1_000_000_000 + at.components.attoseconds / 1_000_000_000))
            case .cancelTimer(let id):
                timers.cancel(id)
            case .closeMedia(let call, let ports):
                relay.delete(call: call, wake: false) { [self] quality in
                    guard serving.withLockedValue({ $0 }) else { return }
                    loop.execute {
                        if quality.caller.reports + quality.agent.reports > 0 { self.writer.enqueue(.quality(callID: call, quality)) }
                        self.feed(.mediaClosed(ports: ports))
                    }
                }
            case .notify(let event):
                // After the messages: publishing wakes other threads (WebSocket writers, the
                // queue_log writer), which must not delay the INVITE to the agent.
                feed.publish(event)
                metrics.observe(event)
                let lines = queueLog.lines(for: event, origin: originWall)
                if queueLogFile != nil { queueLogPending += lines }
                if config.queueLog.table, !lines.isEmpty {
                    writer.enqueue(.queueLog(lines.map { .init($0, at: originWall + event.at.seconds) }))
                }
            case .log(let level, let text, let call):
                var meta: Logger.Metadata = [:]
                if let call { meta["call.id"] = "\(call)" }
                logger.log(level: level.swiftLog, "\(text)", metadata: meta)
            default:
                break
            }
        }
        if !prepare.isEmpty, let problem = relay.prepare(ports: prepare).first {
            // One at a time: the core sets it aside and asks for the next ports again.
            feed(.mediaPortUnavailable(port: problem.port, reason: problem.error.description))
        }
        if !reading { wakeOthers() }
    }

    /// Wakes the threads that work for the loop: the relay threads with commands sent unwoken
    /// (after the messages naming their ports are out) and the queue_log writer. Once per read
    /// batch of the SIP socket, not per datagram: each wake is a syscall and a thread taking a
    /// core from the loop (~8 % of the SIP thread at 700 calls/s when it was per datagram), so
    /// under load a relay command or a queue_log line waits at most for the batch's end (32
    /// datagrams or fewer per vector read). Events from elsewhere (timers, streams) wake at once.
    private func wakeOthers() {
        relay.wakeDeferred()
        if !queueLogPending.isEmpty {
            queueLogFile?.append(queueLogPending)
            queueLogPending.removeAll(keepingCapacity: true)
        }
    }

    /// A datagram from the SIP socket is about to be handled (`wakeOthers` waits for `endOfRead`).
    /// NIO ends a read batch without `channelReadComplete` when a read fails (an ICMP error from
    /// a phone gone away, reported by the next `recvmmsg`), so a task queued now ends the batch
    /// anyway: the loop runs it right after this round of I/O.
    func startOfRead() {
        guard !reading else { return }
        reading = true
        loop.execute { [self] in if reading { endOfRead() } }
    }

    /// The SIP socket's read batch is over.
    func endOfRead() {
        reading = false
        wakeOthers()
    }

    /// The responses that end or answer a call (to INVITE beyond 100, to BYE) leave only once the
    /// call's row is on disk: a caller told the call is over (or up) can rely on the record; so does
    /// the 200 to an agent's BYE (its leg's Call-ID comes with the `record` action). A 200 to a
    /// REGISTER that changed an agent's registrations waits likewise for them (`perform`): a phone
    /// told it is registered is rung after a crash and restart. Only
    /// a call with a write pending waits; everything else (REGISTER, OPTIONS, a stateless 503,
    /// another call's messages) goes at once.
    static func mustFollowCommit(_ m: SIPMessage) -> Bool {
        guard let status = m.status, status > 100 else { return false }
        return m.cseq.method == "INVITE" || m.cseq.method == "BYE"
    }

    /// The state writer has everything up to `seq` on disk: held responses go out, in order (a
    /// call's later responses need later writes, so they never pass its earlier ones).
    private func committed(_ seq: UInt64) {
        committedSeq = max(committedSeq, seq)
        uncommitted = uncommitted.filter { $0.value > committedSeq }
        guard !held.isEmpty else { return }
        var waiting: [(needs: UInt64, message: SIPMessage, to: Endpoint)] = []
        for h in held {
            if h.needs <= committedSeq {
                transmit(h.message, to: h.to)
            } else {
                waiting.append(h)
            }
        }
        let sent = held.count - waiting.count
        held = waiting
        if sent > 0 { channel?.flush() }
    }

    struct UnsendableDestination: Error, CustomStringConvertible {
        var endpoint: Endpoint
        var description: String { "refused to send to \(endpoint): not a unicast IP address and port (taken from a peer's message)" }
    }

    /// A destination a datagram can go to: a port, and not an unspecified, broadcast or multicast
    /// address (sending there fails, and NIO closes the socket on such a failure).
    static func isUnicast(_ address: SocketAddress) -> Bool {
        guard let port = address.port, port > 0 else { return false }
        switch address {
        case .v4(let a):
            let ip = UInt32(bigEndian: a.address.sin_addr.s_addr)
            return ip != 0 && ip != 0xFFFF_FFFF && (ip >> 28) != 0xE
        case .v6(let a):
            var unspecified = in6_addr()
            let isUnspecified = withUnsafeBytes(of: a.address.sin6_addr) { x in withUnsafeBytes(of: &unspecified) { y in x.elementsEqual(y) } }
            let isMulticast = withUnsafeBytes(of: a.address.sin6_addr) { $0.first == 0xFF }
            return !isUnspecified && !isMulticast
        case .unixDomainSocket:
            return false
        }
    }

    /// An error the SIP socket reported (logged at most once a second, with the count since).
    func socketError(_ error: any Error) {
        let t = now
        socketErrors += 1
        guard t - socketErrorLoggedAt >= .seconds(1) else { return }
        logger.warning("SIP socket error: \(error) (\(socketErrors) since the last report)")
        socketErrors = 0
        socketErrorLoggedAt = t
    }

    /// A message out: a datagram (flushed with the rest of the event's), or onto its stream.
    private func transmit(_ message: SIPMessage, to endpoint: Endpoint) {
        let bytes = SIPCodec.encode(message)
        guard endpoint.transport != .udp else { return write(bytes, to: endpoint, flush: false) }
        guard let streams else {
            socketError(UnsendableDestination(endpoint: endpoint))
            return
        }
        streams.send(message, bytes: bytes, to: endpoint)
    }

    private func write(_ bytes: [UInt8], to endpoint: Endpoint, flush: Bool = true) {
        guard let channel else { return }
        guard let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port), Self.isUnicast(address) else {
            socketError(UnsendableDestination(endpoint: endpoint))
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
