import Logging
import Media
import NIOCore
import NIOPosix
import NIOSSL
import SIP

/// SIP over TCP and TLS for the engine's driver (RFC 3261 §18): listeners, the open connections
/// by remote address, and connections the engine opens itself. Every connection lives on the
/// engine's loop, so the table needs no lock.
///
/// Responses go back on the connection their request came in on (§18.2.2); requests to a phone
/// go on the connection it registered or called over while it lives (RFC 5626 §5.3), and
/// otherwise on a new connection to the message's own next hop (`SIPMessage.streamFallback`).
final class StreamTransport {
    struct Delegate {
        /// A whole message (or bytes that failed to frame) from `source`.
        var received: ([UInt8], Endpoint) -> Void
        /// A message that could not be sent (connection refused, reset, limits). Called on the
        /// loop but never inside a `send`: the driver is between events.
        var sendFailed: (SIPMessage, String) -> Void
        /// A message whose fallback address is UDP (a Contact without `transport=tcp`).
        var sendDatagram: ([UInt8], Endpoint) -> Void
        var log: (Logger.Level, String) -> Void
    }

    private let loop: any EventLoop
    private let config: StreamConfig
    private let maximumSize: Int
    private let delegate: Delegate
    private let serverContext: NIOSSLContext?
    private let clientContext: NIOSSLContext?
    private var listeners: [any Channel] = []
    private var connections: [Endpoint: any Channel] = [:]
    /// Inbound connections per source address (`connections.per_source`).
    private var perSource: [String: Int] = [:]
    /// Messages waiting for a connection being opened, by where it goes.
    private var connecting: [Endpoint: [(SIPMessage, [UInt8])]] = [:]
    private var stopped = false

    init(loop: any EventLoop, config: StreamConfig, maximumSize: Int, delegate: Delegate) throws {
        self.loop = loop
        self.config = config
        self.maximumSize = maximumSize
        self.delegate = delegate
        if let tls = config.tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let server = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .file(tls.key))
            serverContext = try NIOSSLContext(configuration: server)
            var client = TLSConfiguration.makeClientConfiguration()
            client.certificateVerification = tls.verifyPeer ? .fullVerification : .none
            if let ca = tls.caFile { client.trustRoots = .file(ca) }
            clientContext = try NIOSSLContext(configuration: client)
        } else {
            serverContext = nil
            clientContext = nil
        }
    }

    /// Open connections per stream transport served (`ccengine_sip_connections`).
    var openByTransport: [Transport: Int] {
        var out: [Transport: Int] = [:]
        for t in config.transports { out[t] = 0 }
        for remote in connections.keys { out[remote.transport, default: 0] += 1 }
        return out
    }

    /// Binds the TCP listener (on the SIP port) and the TLS one, as configured.
    func start(host: String, tcpPort: Int) async throws {
        if config.tcp { listeners.append(try await listen(host: host, port: tcpPort, transport: .tcp)) }
        if let tls = config.tls { listeners.append(try await listen(host: host, port: tls.port, transport: .tls)) }
    }

    private func listen(host: String, port: Int, transport: Transport) async throws -> any Channel {
        do {
            return try await ServerBootstrap(group: loop)
                .serverChannelOption(.backlog, value: 256)
                // Safe for a TCP listener (Linux still refuses a second listener on the port) and
                // needed to restart while old connections sit in TIME-WAIT.
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try accept(channel, transport: transport) }
                }
                .bind(host: host, port: port).get()
        } catch let error as IOError {
            throw EngineDriver.StartError(description: PortHolder.bindFailure("the SIP \(transport) listener", host: host, port: port, transport: .tcp, errno: error.errnoCode))
        }
    }

    /// A phone connected: within the limits it gets a framer (and TLS), else it is closed at once.
    private func accept(_ channel: any Channel, transport: Transport) throws {
        loop.preconditionInEventLoop()
        let remote = Endpoint(host: channel.remoteAddress?.ipAddress ?? "0.0.0.0", port: channel.remoteAddress?.port ?? 0, transport: transport)
        if connections.count >= config.maximum || perSource[remote.host, default: 0] >= config.perSource {
            delegate.log(.warning, "refused a \(transport) connection from \(remote): \(connections.count >= config.maximum ? "connections.max (\(config.maximum))" : "connections.per_source (\(config.perSource))") reached")
            channel.close(promise: nil)
            return
        }
        perSource[remote.host, default: 0] += 1
        if transport == .tls, let serverContext {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
        }
        try addFraming(channel, remote: remote, inbound: true)
    }

    private func addFraming(_ channel: any Channel, remote: Endpoint, inbound: Bool) throws {
        let idle = TimeAmount.seconds(Int64(config.idleTimeout))
        try channel.pipeline.syncOperations.addHandlers([
            IdleStateHandler(allTimeout: idle),
            SIPStreamHandler(remote: remote, inbound: inbound, maximumSize: maximumSize, transport: self),
        ])
    }

    // MARK: From the connections (on the loop)

    func opened(_ channel: any Channel, remote: Endpoint) {
        connections[remote] = channel
    }

    func closed(_ channel: any Channel, remote: Endpoint, inbound: Bool) {
        if let c = connections[remote], c === channel { connections[remote] = nil }
        if inbound {
            perSource[remote.host, default: 1] -= 1
            if perSource[remote.host] == 0 { perSource[remote.host] = nil }
        }
    }

    func received(_ bytes: [UInt8], from remote: Endpoint) { delegate.received(bytes, remote) }

    func log(_ level: Logger.Level, _ text: String) { delegate.log(level, text) }

    // MARK: Sending

    /// Sends `message` to `destination` over its stream transport: on the open connection to it,
    /// or to the message's own next hop (reusing or opening a connection there).
    func send(_ message: SIPMessage, bytes: [UInt8], to destination: Endpoint) {
        loop.preconditionInEventLoop()
        if let channel = connections[destination] {
            write(bytes, of: message, on: channel)
            return
        }
        guard var hop = message.streamFallback(over: destination.transport) else {
            failLater(message, "no connection to \(destination) and no address in the message to open one to")
            return
        }
        // The message's own next hop is the destination itself (a request moved to TCP for its
        // size, a Contact with transport=tcp): connect there on the transport chosen.
        if hop.host == destination.host, hop.port == destination.port { hop = destination }
        if hop.transport == .udp { return delegate.sendDatagram(bytes, hop) }
        if let channel = connections[hop] {
            write(bytes, of: message, on: channel)
            return
        }
        if connecting[hop] != nil {
            connecting[hop]?.append((message, bytes))
            return
        }
        guard !stopped, connections.count + connecting.count < config.maximum else {
            failLater(message, stopped ? "the engine is stopping" : "connections.max (\(config.maximum)) reached")
            return
        }
        connecting[hop] = [(message, bytes)]
        let clientContext = self.clientContext
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(Int64(config.connectTimeout)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if hop.transport == .tls {
                        guard let clientContext else { throw ChannelError.operationUnsupported }
                        // SNI only for a name; an IP address is not sent (RFC 6066 §3).
                        let name = (try? SocketAddress(ipAddress: hop.host, port: 0)) == nil ? hop.host : nil
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: clientContext, serverHostname: name))
                    }
                    try addFraming(channel, remote: hop, inbound: false)
                }
            }
            .connect(host: hop.host, port: hop.port)
            .whenComplete { [self] result in
                let waiting = connecting.removeValue(forKey: hop) ?? []
                switch result {
                case .success(let channel) where !stopped:
                    for (m, b) in waiting { write(b, of: m, on: channel) }
                case .success(let channel):
                    channel.close(promise: nil)
                case .failure(let error):
                    for (m, _) in waiting { delegate.sendFailed(m, "cannot connect to \(hop): \(error)") }
                }
            }
    }

    /// Bytes (a stateless error response) back on the connection they answer, if it is open.
    func reply(_ bytes: [UInt8], to remote: Endpoint) {
        guard let channel = connections[remote] else { return }
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    /// A write that fails (the connection reset) fails its message, after the current event.
    private func write(_ bytes: [UInt8], of message: SIPMessage, on channel: any Channel) {
        let promise = loop.makePromise(of: Void.self)
        promise.futureResult.whenFailure { [self] error in failLater(message, "\(error)") }
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: promise)
    }

    /// Reports a failed send once the event being carried out is done (a failure found inside
    /// `send` must not run the core again in the middle of the driver's `perform`).
    private func failLater(_ message: SIPMessage, _ reason: String) {
        loop.execute { [self] in delegate.sendFailed(message, reason) }
    }

    /// Closes the listeners and every connection at once (a TLS close may wait for the peer's
    /// close_notify; they wait together, not in turn); connections still opening are closed when
    /// they open, and their messages dropped (the engine is stopping).
    func stop() async {
        let all = try? await loop.submit { [self] () -> [any Channel] in
            stopped = true
            connecting = [:]
            return listeners + Array(connections.values)
        }.get()
        guard let all, !all.isEmpty else { return }
        let closing = all.map { channel -> EventLoopFuture<Void> in
            let p = loop.makePromise(of: Void.self)
            channel.close(promise: p)
            return p.futureResult
        }
        _ = try? await EventLoopFuture.andAllComplete(closing, on: loop).get()
    }
}

/// One connection's end of the transport: frames its bytes into messages, answers keep-alive
/// pings, closes it on a framing error (after answering it) or when idle.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let remote: Endpoint
    private let inbound: Bool
    private var framer: StreamFramer
    private unowned let transport: StreamTransport

    init(remote: Endpoint, inbound: Bool, maximumSize: Int, transport: StreamTransport) {
        self.remote = remote
        self.inbound = inbound
        self.framer = StreamFramer(maximumSize: maximumSize)
        self.transport = transport
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { transport.opened(context.channel, remote: remote) }
    }

    func channelActive(context: ChannelHandlerContext) {
        transport.opened(context.channel, remote: remote)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        transport.closed(context.channel, remote: remote, inbound: inbound)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        do {
            while let output = try framer.next() {
                switch output {
                case .message(let bytes): transport.received(bytes, from: remote)
                case .ping: context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "\r\n")), promise: nil)
                }
            }
        } catch {
            // The stream cannot be resynchronised: the message is answered (513, or 400 for an
            // unreadable Content-Length) when its head allows, then the connection closes.
            let (head, status, reason): ([UInt8], Int, String) = switch error {
            case .tooLarge(let head): (head, 513, "Message Too Large")
            case .badContentLength(let head): (head, 400, "Bad Request (Content-Length)")
            }
            transport.log(.notice, "closing the \(remote.transport) connection from \(remote): \(status) \(reason)")
            if let response = SIPCodec.errorResponse(for: head + [0x0D, 0x0A, 0x0D, 0x0A], status: status, reason: reason) {
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: response.bytes)), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: [])), promise: nil)
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        transport.log(.info, "\(remote.transport) connection \(remote): \(error); closed")
        context.close(promise: nil)
    }
}
