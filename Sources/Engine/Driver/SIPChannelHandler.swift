import NIOCore
import SIP

/// The SIP socket's reads into the driver: each datagram, the backlog every 32 and at a batch's
/// end, and the batch's bounds (`startOfRead`/`endOfRead`: what wakes other threads waits for it).
final class SIPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let driver: EngineDriver
    /// Datagrams read since the last `channelReadComplete`.
    private var reads = 0
    init(driver: EngineDriver) { self.driver = driver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reads += 1
        if reads == 1 { driver.startOfRead() }
        let envelope = unwrapInboundIn(data)
        let address = envelope.remoteAddress
        driver.received(Array(envelope.data.readableBytesView), from: Endpoint(host: address.ipAddress ?? "0.0.0.0", port: address.port ?? 0))
        if reads % EngineDriver.readVector == 0 { driver.readProgress(reads: reads, batchEnded: false) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        defer { reads = 0 }
        driver.readProgress(reads: reads, batchEnded: true)
        driver.endOfRead()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors from peers that went away: the socket keeps serving. A failed read ends
        // the read batch without `channelReadComplete`.
        driver.socketError(error)
        if reads > 0 {
            reads = 0
            driver.endOfRead()
        }
    }
}
