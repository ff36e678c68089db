/// Small message helpers the transaction layer needs (RFC 3261 §17).
extension SIPMessage {
    /// RFC 3261 §8.1.1.7: a branch starting with the magic cookie marks an RFC 3261 peer, whose
    /// branch alone (with sent-by and method) identifies the transaction.
    public static let branchMagicCookie = "z9hG4bK"

    /// The top Via's sent-by as `host:port`, host lowercased and the port defaulted to 5060, so
    /// "Via: ...host" and "Via: ...host:5060" name the same transaction (§17.2.3).
    public var topViaSentBy: String? {
        guard let v = via.first else { return nil }
        return "\(v.host.lowercased()):\(v.port ?? 5060)"
    }

    /// RFC 3261 §17.1.1.2 / §17.2.1: retransmission timers run only on unreliable transports.
    /// The top Via names the transport the request travels on.
    public var travelsOnReliableTransport: Bool {
        guard let t = via.first?.transport.uppercased() else { return false }
        return t != "UDP"
    }

    /// RFC 3261 §17.1.1.3: the ACK a client INVITE transaction sends for a non-2xx final response.
    /// Same Request-URI, Call-ID, From, CSeq number and single top Via (so the same branch) as the
    /// INVITE, To from the response (it carries the tag), CSeq method ACK, the INVITE's Route set.
    public func ackForNon2xx(_ response: SIPMessage) -> SIPMessage {
        precondition(method == "INVITE", "only an INVITE is acknowledged by its transaction")
        var ack = SIPMessage(
            startLine: .request(method: "ACK", uri: requestURI ?? SIPURI(host: "")),
            via: Array(via.prefix(1)), from: from, to: response.to, callID: callID,
            cseq: CSeq(cseq.number, "ACK"), route: route)
        ack.headers = [Header("Max-Forwards", "70")]
        return ack
    }

    /// RFC 3261 §8.2.6.1: the 100 (Trying) the server INVITE transaction sends by itself. No
    /// To tag; a Timestamp header is copied.
    public func tryingResponse() -> SIPMessage {
        var r = response(100)
        if let ts = header("Timestamp") { r.headers.append(Header("Timestamp", ts)) }
        return r
    }

    /// RFC 3261 §18.2.1 and RFC 3581 §4: a server transport notes where a request really came
    /// from in its top Via: `received` when the sent-by host differs from the source address, and
    /// the source port in an `rport` the client asked for. Responses then go to
    /// `Via.responseTarget` (§18.2.2); on TCP and TLS `rport` is always set, naming the connection.
    public mutating func stampTopVia(receivedFrom source: Endpoint) {
        guard var v = via.first else { return }
        // §18.2.1: `received` is the server's to add; one a client wrote itself is not believed
        // (responses go to it, so honouring it would reflect them at any address).
        // A bare `;received` is not valid (§20.42 `via-received = "received" EQUAL IPv4address`):
        // Kamailio refuses the whole response with one, so an unneeded one is removed, not emptied.
        if v.host.lowercased() != source.host.lowercased() {
            v.setParameter("received", source.host)
        } else {
            v.removeParameter("received")
        }
        // On a stream the connection is the way back (§18.2.2): its port is always noted, so the
        // Via alone names the connection a response (even a stateless one) goes back on.
        if v.hasParameter("rport") || source.transport.isReliable { v.setParameter("rport", String(source.port)) }
        via[0] = v
    }
}
