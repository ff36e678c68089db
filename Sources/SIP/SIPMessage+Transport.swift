/// The transport layer's part of sending (RFC 3261 §18.1.1), kept pure: which transport a request
/// takes, what its top Via says, and where a stream goes when the connection it should reuse is gone.
extension SIPMessage {
    /// §18.1.1: without a known path MTU, a request larger than 1300 bytes goes over a
    /// congestion-controlled transport (TCP).
    public static let udpSizeLimit = 1300

    /// Readies a request for `destination`: a request too large for UDP moves to TCP at the same
    /// address when we serve TCP (§18.1.1), and the top Via names the transport and our sent-by on
    /// it ("the client transport MUST insert a value of the sent-by field"). Returns where it goes.
    public mutating func prepareForTransport(to destination: Endpoint, sentBy: (Transport) -> Endpoint, tcp: Bool) -> Endpoint {
        var to = destination
        if to.transport == .udp, tcp, method != "ACK", SIPCodec.encode(self).count > Self.udpSizeLimit {
            to.transport = .tcp
        }
        guard var v = via.first else { return to }
        let local = sentBy(to.transport)
        v.transport = to.transport.viaName
        v.host = local.host
        v.port = local.port
        via[0] = v
        return to
    }

    /// Where a message goes when no connection to its stream destination is open (the phone's
    /// connection closed, or the engine restarted): a request to its first Route (a loose router)
    /// or its Request-URI, over the transport that URI names (RFC 3263 §4.1 without DNS: UDP
    /// unless `transport=` or `sips:` says otherwise); a response to its top Via's `received` or
    /// host and sent-by port over `transport` (RFC 3261 §18.2.2).
    public func streamFallback(over transport: Transport) -> Endpoint? {
        if isRequest {
            guard let uri = route.first?.uri ?? requestURI, !uri.host.isEmpty else { return nil }
            return Endpoint(uri: uri)
        }
        guard let v = via.first else { return nil }
        return Endpoint(host: v.parameter("received") ?? v.host, port: v.port ?? transport.defaultPort, transport: transport)
    }
}
