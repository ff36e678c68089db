import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The engine's RTP relay. It knows no SIP: it is told to open a call's two legs on local ports,
/// where each leg's peer is, and to delete the call; it forwards every datagram that arrives on one
/// leg out of the other leg's socket to that leg's peer (rtpengine's call -> leg -> stream model,
/// reduced to one audio stream per leg).
///
/// Both legs of a call live on one event loop, so a bridge's state is touched by one thread only.
public final class RTPRelay: Sendable {
    public enum Leg: Int, Sendable, Hashable { case caller = 0, agent = 1 }

    private let group: any EventLoopGroup
    private let host: String
    private let logger: Logger
    private let bridges = NIOLockedValueBox<[String: CallBridge]>([:])
    /// Packets relayed by bridges already deleted (live bridges count their own).
    private let retired = NIOLockedValueBox(0)

    public init(group: any EventLoopGroup, host: String, logger: Logger) {
        self.group = group
        self.host = host
        self.logger = logger
    }

    /// Binds both legs of a call on the given local ports.
    public func open(call: String, callerPort: Int, agentPort: Int) -> EventLoopFuture<Void> {
        let loop = group.next()
        let bridge = CallBridge(call: call, loop: loop)
        bridges.withLockedValue { $0[call] = bridge }
        // Sockets are created on the relay's loop, after the caller's current event: the SIP
        // loop never waits for them (the agent's INVITE goes out first).
        let opened = loop.flatSubmit {
            self.bind(bridge: bridge, leg: .caller, port: callerPort, on: loop)
                .and(self.bind(bridge: bridge, leg: .agent, port: agentPort, on: loop))
        }
        return opened.map { ca, cb in
            bridge.channels = [ca, cb]
        }.flatMapError { error in
            self.delete(call: call)
            return loop.makeFailedFuture(error)
        }
    }

    /// Where a leg's peer receives RTP (from its SDP). Symmetric RTP: once the peer sends from
    /// another address, the relay answers there instead (RFC 4961 / common NAT practice).
    public func setPeer(call: String, leg: Leg, host: String, port: Int) {
        guard let bridge = bridges.withLockedValue({ $0[call] }) else { return }
        let addr = try? SocketAddress(ipAddress: host, port: port)
        bridge.loop.execute { bridge.declaredPeers[leg.rawValue] = addr }
    }

    public func delete(call: String) {
        guard let bridge = bridges.withLockedValue({ $0.removeValue(forKey: call) }) else { return }
        let n = bridge.relayed.withLockedValue { $0 }
        retired.withLockedValue { $0 += n }
        bridge.loop.execute {
            for c in bridge.channels { c.close(promise: nil) }
            bridge.channels = []
        }
    }

    public var activeCalls: Int { bridges.withLockedValue { $0.count } }
    /// Packets relayed so far. Each bridge counts under its own lock, touched by its loop only, so
    /// the two relay threads never contend for one counter.
    public var packetsRelayed: Int {
        retired.withLockedValue { $0 } + bridges.withLockedValue { $0.values.reduce(0) { $0 + $1.relayed.withLockedValue { $0 } } }
    }

    /// Binds one leg's socket. The address is built from the numeric host, never resolved:
    /// `bind(host:port:)` would call getaddrinfo (a netlink round trip) for every socket.
    private func bind(bridge: CallBridge, leg: Leg, port: Int, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let address: SocketAddress
        do { address = try SocketAddress(ipAddress: host, port: port) } catch { return loop.makeFailedFuture(error) }
        return DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 0)
            // One 20 ms stream per socket: a read rarely finds more than one packet waiting, so
            // no vector reads (each would allocate a 16-packet buffer for one packet).
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .channelInitializer { channel in
                channel.pipeline.addHandler(RelayLegHandler(bridge: bridge, leg: leg))
            }
            .bind(to: address)
    }
}

/// One bridged call's two legs. Only touched on `loop`.
final class CallBridge: @unchecked Sendable {
    let call: String
    let loop: any EventLoop
    let relayed = NIOLockedValueBox(0)
    var channels: [any Channel] = []
    var declaredPeers: [SocketAddress?] = [nil, nil]
    var latchedPeers: [SocketAddress?] = [nil, nil]
    var pendingCount = 0

    init(call: String, loop: any EventLoop) {
        self.call = call
        self.loop = loop
    }

    func peer(_ leg: Int) -> SocketAddress? { latchedPeers[leg] ?? declaredPeers[leg] }
}

final class RelayLegHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let bridge: CallBridge
    private let leg: Int
    private var forwarded = 0

    init(bridge: CallBridge, leg: RTPRelay.Leg) {
        self.bridge = bridge
        self.leg = leg.rawValue
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if bridge.latchedPeers[leg] != envelope.remoteAddress { bridge.latchedPeers[leg] = envelope.remoteAddress }
        let other = 1 - leg
        guard bridge.channels.count == 2, let to = bridge.peer(other) else { return }
        let out = bridge.channels[other]
        out.write(AddressedEnvelope(remoteAddress: to, data: envelope.data), promise: nil)
        forwarded += 1
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard forwarded > 0, bridge.channels.count == 2 else { return }
        bridge.channels[1 - leg].flush()
        let n = forwarded
        forwarded = 0
        bridge.relayed.withLockedValue { $0 += n }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable from a peer that went away surfaces here; the relay keeps going.
    }
}
