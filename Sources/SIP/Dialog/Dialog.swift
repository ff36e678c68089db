/// A SIP dialog (RFC 3261 §12) as one of its two parties sees it: the tags, both CSeq numbers,
/// the route set and the remote target. It is the one place that keeps them current (§12.1,
/// §12.2.1.2, §12.2.2) and the one place that builds requests inside the dialog
/// (`Dialog+Requests.swift`), so no ACK, BYE or re-INVITE can miss its Route header.
///
/// Pure value: a response or request in, the updated dialog (or a verdict) out.
public struct Dialog: Sendable, Equatable {
    public let callID: String
    /// Our address with our tag: the From of a dialog we started (UAC), the To of one we answered (UAS).
    public internal(set) var local: NameAddress
    /// The peer's address, with its tag once known (a UAC's dialog has none until a response
    /// with a To tag arrives).
    public internal(set) var remote: NameAddress
    /// The CSeq number of our last request in the dialog (§12.2.1.1: each new request adds one).
    public internal(set) var localCSeq: UInt32
    /// The CSeq number of the peer's last request; nil while the peer has sent none (§12.1.2).
    public internal(set) var remoteCSeq: UInt32?
    /// Proxies our requests traverse, nearest first (§12.1.1: a UAS's from the Record-Route in
    /// order; §12.1.2: a UAC's from the response's Record-Route reversed).
    public internal(set) var routeSet: [NameAddress]
    /// Where requests in the dialog go: the peer's Contact, refreshed by a re-INVITE (§12.2).
    public internal(set) var remoteTarget: SIPURI
    /// A 2xx established the dialog; before that a UAC's dialog is early (or not yet created).
    public internal(set) var isConfirmed: Bool

    /// The dialog a UAC's INVITE will create (RFC 3261 §12.1.2), before any response: the remote
    /// tag, route set and target come with the first response that carries a To tag. Until then
    /// the route set is the INVITE's preloaded Route (§8.1.2).
    public init(uac invite: SIPMessage) {
        callID = invite.callID
        local = invite.from
        remote = invite.to
        localCSeq = invite.cseq.number
        remoteCSeq = nil
        routeSet = invite.route
        remoteTarget = invite.requestURI ?? invite.to.uri
        isConfirmed = false
    }

    /// The dialog a UAS creates by answering `invite` with `localTag` (RFC 3261 §12.1.1).
    public init(uas invite: SIPMessage, localTag: String) {
        callID = invite.callID
        var l = invite.to
        l.setParameter("tag", localTag)
        local = l
        remote = invite.from
        localCSeq = 0
        remoteCSeq = invite.cseq.number
        routeSet = invite.recordRoute
        remoteTarget = invite.contact.first?.uri ?? invite.from.uri
        isConfirmed = true
    }

    public var localTag: String? { local.tag }
    public var remoteTag: String? { remote.tag }

    /// A response to one of our requests in this dialog (RFC 3261 §12.1.2, §13.2.2.4, §12.2.1.2).
    /// A 1xx or 2xx to the INVITE with a To tag sets the remote tag, the route set (Record-Route
    /// reversed) and the remote target; the 2xx's values win over an early dialog's. A 2xx to a
    /// re-INVITE refreshes the remote target only (the route set is fixed once confirmed).
    public mutating func received(response: SIPMessage) {
        guard response.cseq.method == "INVITE", let status = response.status, (101..<300).contains(status),
              let tag = response.to.tag
        else { return }
        if isConfirmed {
            guard status >= 200, tag == remote.tag else { return }
            if let target = response.contact.first?.uri { remoteTarget = target }
            return
        }
        remote.setParameter("tag", tag)
        routeSet = response.recordRoute.reversed()
        if let target = response.contact.first?.uri { remoteTarget = target }
        if status >= 200 { isConfirmed = true }
    }

    /// What to do with a request the peer sent in this dialog.
    public enum RequestVerdict: Sendable, Equatable {
        case accept
        /// RFC 3261 §12.2.2: a CSeq lower than the peer's last is out of order: answer 500.
        case outOfOrder(last: UInt32)
    }

    /// Checks a request the peer sent in this dialog and remembers its CSeq (RFC 3261 §12.2.2). ACK
    /// and CANCEL carry the number of the INVITE they belong to and are not checked. A re-INVITE
    /// refreshes the remote target from its Contact (§12.2.2, target refresh).
    public mutating func received(request: SIPMessage) -> RequestVerdict {
        guard let method = request.method, method != "ACK", method != "CANCEL" else { return .accept }
        if let last = remoteCSeq, request.cseq.number < last { return .outOfOrder(last: last) }
        remoteCSeq = request.cseq.number
        if method == "INVITE", let target = request.contact.first?.uri { remoteTarget = target }
        return .accept
    }
}
