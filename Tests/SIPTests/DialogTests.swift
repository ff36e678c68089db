import Testing
@testable import SIP

/// RFC 3261 §12: the dialog keeps tags, CSeq numbers, route set and remote target, and builds
/// every request inside it.
@Suite struct DialogTests {
    static let proxyA = NameAddress(uri: SIPURI(host: "127.0.0.21", port: 5070, parameters: [Parameter("lr")]))
    static let proxyB = NameAddress(uri: SIPURI(host: "127.0.0.22", parameters: [Parameter("lr")]))

    static func invite() -> SIPMessage {
        var from = NameAddress(uri: SIPURI(user: "ccengine", host: "127.0.0.1", port: 5060))
        from.tag = "ours"
        return SIPMessage(
            startLine: .request(method: "INVITE", uri: SIPURI(user: "alice", host: "127.0.0.2", port: 5062)),
            via: [Via(host: "127.0.0.1", port: 5060, branch: "z9hG4bK-1")], from: from,
            to: NameAddress(uri: SIPURI(user: "alice", host: "127.0.0.1")), callID: "c1", cseq: CSeq(1, "INVITE"),
            contact: [NameAddress(uri: SIPURI(user: "ccengine", host: "127.0.0.1", port: 5060))])
    }

    static func ok(_ invite: SIPMessage, status: Int = 200, tag: String = "theirs", recordRoute: [NameAddress] = [proxyA, proxyB]) -> SIPMessage {
        var r = invite.response(status, toTag: tag)
        r.recordRoute = recordRoute
        r.contact = [NameAddress(uri: SIPURI(user: "alice", host: "127.0.0.29", port: 5099))]
        return r
    }

    let via = Via(host: "127.0.0.1", port: 5060, branch: "z9hG4bK-new")

    @Test func uacTakesTheRouteSetReversedAndTheTargetFromThe2xx() {
        let inv = Self.invite()
        var d = Dialog(uac: inv)
        #expect(d.remoteTag == nil && !d.isConfirmed)
        d.received(response: Self.ok(inv))
        #expect(d.isConfirmed && d.remoteTag == "theirs")
        #expect(d.routeSet == [Self.proxyB, Self.proxyA])
        #expect(d.remoteTarget == SIPURI(user: "alice", host: "127.0.0.29", port: 5099))
        #expect(d.nextHop == Self.proxyB.uri)
    }

    @Test func ackCarriesTheInviteCSeqAndTheRouteSet() {
        let inv = Self.invite()
        var d = Dialog(uac: inv)
        let ok = Self.ok(inv)
        d.received(response: ok)
        let ack = d.ack(for: ok, via: via)
        #expect(ack.method == "ACK" && ack.cseq == CSeq(1, "ACK"))
        #expect(ack.requestURI == d.remoteTarget && ack.route == [Self.proxyB, Self.proxyA])
        #expect(ack.to.tag == "theirs" && ack.from.tag == "ours" && ack.via == [via])
        #expect(d.localCSeq == 1)  // an ACK is not a new request in the dialog
    }

    @Test func eachNewRequestRaisesOurCSeqAndKeepsTheRoute() {
        let inv = Self.invite()
        var d = Dialog(uac: inv)
        d.received(response: Self.ok(inv))
        let reinvite = d.request("INVITE", via: via, contact: inv.contact.first, contentType: "application/sdp", body: [1])
        let bye = d.request("BYE", via: via)
        #expect(reinvite.cseq == CSeq(2, "INVITE") && bye.cseq == CSeq(3, "BYE"))
        #expect(reinvite.contact == inv.contact && bye.contact.isEmpty)
        #expect(bye.route == [Self.proxyB, Self.proxyA] && bye.requestURI == d.remoteTarget)
        #expect(bye.header("Max-Forwards") == "70")
    }

    @Test func earlyDialogsRouteSetIsReplacedByThe2xx() {
        let inv = Self.invite()
        var d = Dialog(uac: inv)
        d.received(response: Self.ok(inv, status: 183, recordRoute: [Self.proxyA]))
        #expect(!d.isConfirmed && d.routeSet == [Self.proxyA])
        d.received(response: Self.ok(inv, recordRoute: [Self.proxyA, Self.proxyB]))
        #expect(d.isConfirmed && d.routeSet == [Self.proxyB, Self.proxyA])
        // Once confirmed a later 2xx to a re-INVITE refreshes the target, never the route set.
        var reOK = Self.ok(inv, recordRoute: [])
        reOK.cseq = CSeq(2, "INVITE")
        reOK.contact = [NameAddress(uri: SIPURI(host: "127.0.0.30", port: 6000))]
        d.received(response: reOK)
        #expect(d.routeSet == [Self.proxyB, Self.proxyA] && d.remoteTarget == SIPURI(host: "127.0.0.30", port: 6000))
    }

    @Test func uasTakesTheRecordRouteInOrderAndAnswersALowerCSeqOutOfOrder() {
        var inv = Self.invite()
        inv.recordRoute = [Self.proxyA, Self.proxyB]
        inv.cseq = CSeq(10, "INVITE")
        var d = Dialog(uas: inv, localTag: "uas")
        #expect(d.routeSet == [Self.proxyA, Self.proxyB] && d.localTag == "uas" && d.remoteTag == "ours")
        #expect(d.remoteTarget == inv.contact[0].uri)
        let bye = d.request("BYE", via: via)
        #expect(bye.from.tag == "uas" && bye.to.tag == "ours" && bye.route == [Self.proxyA, Self.proxyB] && bye.cseq.number == 1)

        var info = inv
        info.startLine = .request(method: "INFO", uri: inv.requestURI!)
        info.cseq = CSeq(9, "INFO")
        #expect(d.received(request: info) == .outOfOrder(last: 10))
        info.cseq = CSeq(11, "INFO")
        #expect(d.received(request: info) == .accept)
        var ack = inv
        ack.startLine = .request(method: "ACK", uri: inv.requestURI!)
        ack.cseq = CSeq(10, "ACK")
        #expect(d.received(request: ack) == .accept)  // ACK carries the INVITE's number, never checked
        #expect(d.remoteCSeq == 11)
    }

    @Test func reinviteFromThePeerRefreshesTheTarget() {
        let inv = Self.invite()
        var d = Dialog(uas: inv, localTag: "uas")
        var re = inv
        re.cseq = CSeq(2, "INVITE")
        re.contact = [NameAddress(uri: SIPURI(host: "127.0.0.27", port: 7000))]
        #expect(d.received(request: re) == .accept)
        #expect(d.remoteTarget == SIPURI(host: "127.0.0.27", port: 7000))
    }

    @Test func strictRouterGetsTheRequestURIAndTheTargetGoesLast() {
        let inv = Self.invite()
        var d = Dialog(uac: inv)
        let strict = NameAddress(uri: SIPURI(host: "127.0.0.23", port: 5080))
        d.received(response: Self.ok(inv, recordRoute: [Self.proxyA, strict]))
        let bye = d.request("BYE", via: via)
        #expect(bye.requestURI == strict.uri)
        #expect(bye.route == [Self.proxyA, NameAddress(uri: d.remoteTarget)])
    }

    @Test func cancelCopiesTheInvite() {
        var inv = Self.invite()
        inv.route = [Self.proxyA]
        let cancel = Dialog.cancel(of: inv)
        #expect(cancel.method == "CANCEL" && cancel.requestURI == inv.requestURI && cancel.via == inv.via)
        #expect(cancel.cseq == CSeq(1, "CANCEL") && cancel.to == inv.to && cancel.from == inv.from && cancel.route == [Self.proxyA])
    }
}
