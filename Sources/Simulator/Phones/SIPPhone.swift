import Engine
import Media
import Glibc
import NIOCore
import NIOPosix
import NIOSSL
import SIP

/// A virtual phone's SIP transport: its own UDP socket on loopback, the shared codec, and the
/// project's `TransactionLayer` (RFC 3261 §17, the engine's own): requests are retransmitted
/// until answered (Timer A/E), repeated requests are absorbed and answered again, the ACK of a
/// non-2xx is the transaction's; its timers run on the phone's loop. A 2xx it sends is resent
/// until ACKed by `ServerDialog2xxRetransmitter` (§13.3.1.4). Over TCP or TLS (when `engine`
/// names one) the phone opens one connection to the engine and does everything on it: no
/// retransmissions (the Via says TCP/TLS), no listening socket (RFC 5626's outbound model). All
/// of a phone's state is confined to its channel's event loop.
final class SIPPhone: @unchecked Sendable {
    let user: String
    let engine: Endpoint
    let loop: any EventLoop
    private(set) var channel: (any Channel)?
    private(set) var local = Endpoint(host: "127.0.0.1", port: 0)
    var ids: IdentityGenerator
    /// What reaches the phone's user: requests (with where they came from), ACKs for its 2xx,
    /// CANCELs, and the responses to its requests (once each; retransmissions are absorbed).
    var onMessage: ((SIPMessage, Endpoint) -> Void)?
    private var layer = TransactionLayer()
    private var timers: [TransactionTimerID: Scheduled<Void>] = [:]
    /// 2xx responses resent until their ACK, by the user's key.
    private var okRetransmitters: [String: (ServerDialog2xxRetransmitter, [ServerDialog2xxRetransmitter.Timer: Scheduled<Void>])] = [:]
    /// The loop's clock: real time, or an `EmbeddedEventLoop`'s virtual time (`InMemoryLink`).
    private let origin: NIODeadline
    private var closed = false
    private var now: Duration { .nanoseconds((loop.now - origin).nanoseconds) }
    /// Set by `InMemoryLink.attach`: the phone's messages go to the engine core in this process.
    private var inMemory: (([UInt8], Endpoint) -> Void)?

    init(user: String, engine: Endpoint, loop: any EventLoop, seed: UInt64) {
        self.user = user
        self.engine = engine
        self.loop = loop
        self.ids = IdentityGenerator(seed: seed, host: "127.0.0.1")
        self.origin = loop.now
    }

    /// Binds to a numeric host (no getaddrinfo per phone) on a free port.
    /// The phone's socket when ccsim bound it itself (IPv4), for the kernel's receive timestamps.
    private var socket: CInt?

    /// An IPv4 host gets a socket bound here and handed to NIO, with the kernel's receive
    /// timestamps switched on (read per datagram with `SIOCGSTAMPNS`); others are bound by NIO.
    func bind(host: String) -> EventLoopFuture<Void> {
        if engine.transport.isReliable { return connect(host: host) }
        let bootstrap = DatagramBootstrap(group: loop)
            .channelInitializer { [self] ch in ch.pipeline.addHandler(PhoneChannelHandler(phone: self)) }
        let bound: EventLoopFuture<any Channel>
        if let fd = Self.timestampedSocket(host) {
            socket = fd
            bound = bootstrap.withBoundSocket(fd)
        } else {
            let address: SocketAddress
            do { address = try SocketAddress(ipAddress: host, port: 0) } catch { return loop.makeFailedFuture(error) }
            bound = bootstrap.channelOption(.socketOption(.so_reuseaddr), value: 0).bind(to: address)
        }
        return bound.map { [self] ch in
            channel = ch
            local = Endpoint(host: host, port: ch.localAddress?.port ?? 0)
        }
    }

    /// The connection to the engine over TCP or TLS (the engine's certificate is not checked:
    /// ccsim tests an engine, usually with a self-made certificate).
    private func connect(host: String) -> EventLoopFuture<Void> {
        let engine = self.engine
        let tls: NIOSSLContext?
        if engine.transport == .tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            do { tls = try NIOSSLContext(configuration: configuration) } catch { return loop.makeFailedFuture(error) }
        } else {
            tls = nil
        }
        let localAddress: SocketAddress
        do { localAddress = try SocketAddress(ipAddress: host, port: 0) } catch { return loop.makeFailedFuture(error) }
        return ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { [self] ch in
                ch.eventLoop.makeCompletedFuture {
                    if let tls { try ch.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                    try ch.pipeline.syncOperations.addHandler(PhoneStreamHandler(phone: self))
                }
            }
            .bind(to: localAddress)
            .connect(host: engine.host, port: engine.port)
            .map { [self] ch in
                channel = ch
                local = Endpoint(host: host, port: ch.localAddress?.port ?? 0, transport: engine.transport)
            }
    }

    /// Wires the phone to an engine core in this process (no socket): it appears at `local`.
    func attachInMemory(local: Endpoint, send: @escaping ([UInt8], Endpoint) -> Void) {
        self.local = local
        inMemory = send
    }

    /// `SIOCGSTAMPNS` (linux/sockios.h): the receive time (CLOCK_REALTIME) of the last datagram
    /// read from the socket. Its first use switches stamping on.
    private static let getStampNanoseconds: UInt = 0x8907

    private static func timestampedSocket(_ host: String) -> CInt? {
        var sa = sockaddr_in()
        guard inet_pton(AF_INET, host, &sa.sin_addr) == 1 else { return nil }
        sa.sin_family = sa_family_t(AF_INET)
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            return nil
        }
        var ts = timespec()
        _ = ioctl(fd, getStampNanoseconds, &ts)  // no datagram yet (ENOENT); stamping is now on
        return fd
    }

    /// When the datagram being handled reached the phone's socket, on `RunClock.nanosNow`'s
    /// clock: the kernel's receive stamp where there is one (its age subtracted from now), else
    /// now. Call it while handling the datagram: the stamp is of the last one read.
    func datagramArrival() -> UInt64 {
        var stamp = timespec(), wall = timespec()
        guard let socket, ioctl(socket, Self.getStampNanoseconds, &stamp) == 0,
              clock_gettime(CLOCK_REALTIME, &wall) == 0 else { return RunClock.nanosNow }
        let now = RunClock.nanosNow
        let age = (wall.tv_sec - stamp.tv_sec) * 1_000_000_000 + (wall.tv_nsec - stamp.tv_nsec)
        return age > 0 && UInt64(age) < now ? now - UInt64(age) : now
    }

    func close() {
        closed = true
        for t in timers.values { t.cancel() }
        timers = [:]
        for (_, scheduled) in okRetransmitters.values { for s in scheduled.values { s.cancel() } }
        okRetransmitters = [:]
        channel?.close(promise: nil)
        socket = nil  // NIO owned and closes it
    }

    var contact: NameAddress {
        let parameters = local.transport == .udp ? [] : [Parameter("transport", local.transport.rawValue)]
        return NameAddress(uri: SIPURI(user: user, host: local.host, port: local.port, parameters: parameters))
    }

    func via() -> Via { Via(transport: local.transport.viaName, host: local.host, port: local.port, branch: ids.branch()) }

    /// Sends a request in a new client transaction (an ACK as it is), or a response in its
    /// server transaction (as it is when that has ended). `to`: where a request goes (default the
    /// engine). `stamp` gets the monotonic time just before the first transmission is handed to
    /// the socket: the "sent" end of ccbench's INVITE -> agent INVITE latency.
    func send(_ m: SIPMessage, to: Endpoint? = nil, stamp: ((UInt64) -> Void)? = nil) {
        let destination = to ?? engine
        let actions = m.isRequest ? try? layer.send(request: m, to: destination, now: now) : try? layer.send(response: m, now: now)
        guard let actions else { return transmit(m, to: destination, stamp: stamp) }
        perform(actions, stamp: stamp)
    }

    /// One message on the wire, outside any transaction (the readiness probe, stateless answers).
    func transmit(_ m: SIPMessage, to: Endpoint? = nil, stamp: ((UInt64) -> Void)? = nil) {
        if let inMemory {
            stamp?(RunClock.nanosNow)
            return inMemory(SIPCodec.encode(m), to ?? engine)
        }
        if engine.transport.isReliable, let channel {
            // Everything goes on the one connection (requests inside a dialog included).
            let bytes = SIPCodec.encode(m)
            stamp?(RunClock.nanosNow)
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
            return
        }
        guard let channel, let addr = try? SocketAddress(ipAddress: (to ?? engine).host, port: (to ?? engine).port) else { return }
        let bytes = SIPCodec.encode(m)
        stamp?(RunClock.nanosNow)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: addr, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    /// A 2xx to an INVITE is resent until its ACK arrives (RFC 3261 §13.3.1.4) or
    /// `stopRetransmitting(key)`.
    func sendUntilAcked(_ m: SIPMessage, key: String, to: Endpoint? = nil) {
        send(m, to: to)
        let (r, actions) = ServerDialog2xxRetransmitter.start(response: m, now: now, timers: layer.timers,
                                                              reliableTransport: engine.transport.isReliable)
        okRetransmitters[key] = (r, [:])
        retransmitted(actions, key: key)
    }

    func stopRetransmitting(_ key: String) {
        guard let (_, scheduled) = okRetransmitters.removeValue(forKey: key) else { return }
        for s in scheduled.values { s.cancel() }
    }

    private func retransmitted(_ actions: [ServerDialog2xxRetransmitter.Action], key: String) {
        for a in actions {
            switch a {
            case .retransmit(let m):
                transmit(m, to: m.via.first?.responseTarget)
            case .startTimer(let t, let at):
                guard !closed, okRetransmitters[key] != nil else { continue }
                okRetransmitters[key]?.1[t] = loop.scheduleTask(deadline: deadline(at)) { [self] in
                    guard var (r, scheduled) = okRetransmitters[key] else { return }
                    scheduled[t] = nil
                    let next = r.timerFired(t, now: now)
                    okRetransmitters[key] = (r, scheduled)
                    retransmitted(next, key: key)
                }
            case .cancelTimer(let t):
                okRetransmitters[key]?.1.removeValue(forKey: t)?.cancel()
            case .ackTimedOut:
                stopRetransmitting(key)
            }
        }
    }

    /// What the transaction layer asks for: the wire, timers on the loop, or the phone's user.
    private func perform(_ actions: [TransactionLayerAction], stamp: ((UInt64) -> Void)? = nil) {
        var stamp = stamp
        for a in actions {
            switch a {
            case .transmit(let m, let to):
                transmit(m, to: to, stamp: stamp)
                stamp = nil
            case .startTimer(let id, let at):
                guard !closed else { continue }
                timers[id]?.cancel()
                timers[id] = loop.scheduleTask(deadline: deadline(at)) { [self] in
                    timers[id] = nil
                    perform(layer.timerFired(id, now: now))
                }
            case .cancelTimer(let id):
                timers.removeValue(forKey: id)?.cancel()
            case .deliverToTU(let event):
                switch event {
                case .request(let m, let from, _), .cancel(let m, let from, _, _), .ack(let m, let from): onMessage?(m, from)
                case .response(let m, _): onMessage?(m, engine)
                case .timedOut, .transportError: break  // the scenario's own timers (patience, its end) decide
                }
            }
        }
    }

    private func deadline(_ at: Duration) -> NIODeadline {
        origin + .nanoseconds(Int64(at.components.seconds) * 1_000_000_000 + at.components.attoseconds / 1_000_000_000)
    }

    func received(_ bytes: [UInt8], from: SocketAddress) {
        guard let m = try? SIPCodec.decode(bytes) else { return }
        received(m, from: Endpoint(host: from.ipAddress ?? "127.0.0.1", port: from.port ?? 0, transport: local.transport))
    }

    func received(_ m: SIPMessage, from: Endpoint) {
        // RFC 3261 §18.1.2: a response matching no client transaction goes to the core (the
        // readiness probe's OPTIONS are sent outside any transaction).
        if !m.isRequest, TransactionKey.client(receiving: m).flatMap({ layer.destination(of: $0) }) == nil {
            onMessage?(m, from)
            return
        }
        perform(layer.received(m, from: from, now: now))
    }
}

final class PhoneChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let phone: SIPPhone
    init(phone: SIPPhone) { self.phone = phone }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let e = unwrapInboundIn(data)
        phone.received(Array(e.data.readableBytesView), from: e.remoteAddress)
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

/// A phone's connection to the engine: frames the stream into messages (RFC 3261 §18.3).
final class PhoneStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let phone: SIPPhone
    private var framer = StreamFramer()
    init(phone: SIPPhone) { self.phone = phone }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        framer.append(unwrapInboundIn(data).readableBytesView)
        do {
            while let output = try framer.next() {
                guard case .message(let bytes) = output, let m = try? SIPCodec.decode(bytes) else { continue }
                phone.received(m, from: phone.engine)
            }
        } catch {
            context.close(promise: nil)  // the engine's stream cannot be read on
        }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

/// SDP a phone offers or answers: one PCMU audio stream on its RTP port.
func phoneSDP(host: String, port: Int, sessionID: UInt64, codecs: [G711.Law] = [.muLaw]) -> SessionDescription {
    SessionDescription(
        sessionID: sessionID, sessionVersion: 1, originAddress: host, connectionAddress: host,
        media: [MediaDescription(port: port, formats: codecs.map(\.payloadType) + [101], attributes: codecs.map {
            .init("rtpmap", "\($0.payloadType) \($0.codec)/8000")
        } + [.init("rtpmap", "101 telephone-event/8000"), .init("fmtp", "101 0-15"), .init("ptime", "20"), .init("sendrecv")])])
}

/// An agent phone's answer to the engine's offer (RFC 3264): the first G.711 codec offered (PCMU
/// or PCMA), telephone-event if offered; nil when the offer has neither law.
func phoneAnswer(to offer: SessionDescription, host: String, port: Int) -> (SessionDescription, G711.Law)? {
    guard let law = offer.audio?.codecNames.lazy.compactMap(G711.Law.init(codec:)).first,
          let answer = OfferAnswer.answer(to: offer, address: host, port: port, codecs: [law.codec], telephoneEvent: true,
                                          sessionID: UInt64(port), version: 1)
    else { return nil }
    return (answer, law)
}
