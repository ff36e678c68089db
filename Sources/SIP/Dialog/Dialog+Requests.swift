/// Every request inside a dialog is built here (RFC 3261 §12.2.1.1), and the CANCEL of an
/// INVITE (§9.1), so the Route set, remote target, tags and CSeq are right in each of them.
extension Dialog {
    /// A new request in the dialog (BYE, re-INVITE, INFO, MESSAGE, REFER, NOTIFY, UPDATE): our CSeq
    /// goes up by one. `contact` is required in a target-refresh request (INVITE, UPDATE) and in
    /// REFER/NOTIFY (RFC 3515, RFC 6665).
    public mutating func request(_ method: String, via: Via, contact: NameAddress? = nil, headers: [Header] = [],
                                 contentType: String? = nil, body: [UInt8] = []) -> SIPMessage {
        precondition(method != "ACK" && method != "CANCEL", "ACK and CANCEL carry the INVITE's CSeq: use ack(for:via:) or cancel(of:)")
        localCSeq += 1
        return build(method, cseq: localCSeq, via: via, contact: contact, headers: headers, contentType: contentType, body: body)
    }

    /// The ACK for a 2xx to our INVITE or re-INVITE (RFC 3261 §13.2.2.4): a new transaction with
    /// the INVITE's CSeq number, sent for every retransmission of the 2xx.
    public func ack(for response: SIPMessage, via: Via) -> SIPMessage {
        build("ACK", cseq: response.cseq.number, via: via, contact: nil, headers: [], contentType: nil, body: [])
    }

    /// RFC 3261 §9.1: a CANCEL copies the INVITE's Request-URI, top Via (so its branch), From,
    /// To, Call-ID, CSeq number and Route; it belongs to the INVITE's transaction, not a dialog.
    public static func cancel(of invite: SIPMessage) -> SIPMessage {
        SIPMessage(
            startLine: .request(method: "CANCEL", uri: invite.requestURI ?? invite.to.uri), via: Array(invite.via.prefix(1)),
            from: invite.from, to: invite.to, callID: invite.callID, cseq: CSeq(invite.cseq.number, "CANCEL"),
            route: invite.route, headers: [Header("Max-Forwards", "70")])
    }

    /// The URI a request built by this dialog is sent towards (RFC 3261 §8.1.2): the first
    /// Route's, or the remote target when the route set is empty. The transport resolves it.
    public var nextHop: SIPURI { routeSet.first?.uri ?? remoteTarget }

    /// Whether requests leave through a proxy (the route set is not empty).
    public var hasRouteSet: Bool { !routeSet.isEmpty }

    /// RFC 3261 §12.2.1.1: with a loose router first (`;lr`), the Request-URI is the remote target
    /// and the Route the route set; a strict router first gets the Request-URI itself and the
    /// remote target goes last in the Route.
    private func build(_ method: String, cseq: UInt32, via: Via, contact: NameAddress?, headers: [Header],
                       contentType: String?, body: [UInt8]) -> SIPMessage {
        var uri = remoteTarget
        var route = routeSet
        if let first = routeSet.first, !first.uri.parameters.contains(where: { $0.name.equalsIgnoringASCIICase("lr") }) {
            uri = first.uri
            route = Array(routeSet.dropFirst()) + [NameAddress(uri: remoteTarget)]
        }
        return SIPMessage(
            startLine: .request(method: method, uri: uri), via: [via], from: local, to: remote, callID: callID,
            cseq: CSeq(cseq, method), contact: contact.map { [$0] } ?? [], route: route, contentType: contentType,
            headers: [Header("Max-Forwards", "70")] + headers, body: body)
    }
}
