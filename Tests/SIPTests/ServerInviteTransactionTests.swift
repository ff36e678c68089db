import Testing
@testable import SIP

private func at(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
private let invite = TransactionFixtures.invite()

@Test func serverInviteDeliversOnceAndSends100AfterTwoHundredMilliseconds() {
    var (tx, actions) = ServerInviteTransaction.start(request: invite, now: .zero)
    #expect(tx.state == .proceeding)
    #expect(actions == [.deliverRequest(invite), .startTimer(.trying, at: at(0.2))])
    let trying = invite.tryingResponse()
    #expect(trying.status == 100)
    #expect(trying.to.tag == nil)
    #expect(tx.timerFired(.trying, now: at(0.2)) == [.transmit(trying)])
    // A retransmitted INVITE gets the last provisional again, never a second delivery.
    #expect(tx.receivedRetransmission(now: at(0.5)) == [.transmit(trying)])
    actions = tx.receivedRetransmission(now: at(1.5))
    #expect(actions.deliveredToTU.isEmpty)
}

@Test func serverInviteSkipsThe100WhenTheTUAnswersFirst() {
    var (tx, _) = ServerInviteTransaction.start(request: invite, now: .zero)
    let ringing = invite.response(180, toTag: "e1")
    #expect(tx.send(response: ringing, now: at(0.05)) == [.cancelTimer(.trying), .transmit(ringing)])
    #expect(tx.timerFired(.trying, now: at(0.2)) == [])
    #expect(tx.receivedRetransmission(now: at(0.5)) == [.transmit(ringing)])
}

@Test func serverInviteSends100AtOnceWhenTheInviteIsRetransmittedEarly() {
    var (tx, _) = ServerInviteTransaction.start(request: invite, now: .zero)
    #expect(tx.receivedRetransmission(now: at(0.1)) == [.cancelTimer(.trying), .transmit(invite.tryingResponse())])
}

@Test func serverInviteLeavesThe100ToTheTUWhenConfigured() {
    let (_, actions) = ServerInviteTransaction.start(request: invite, now: .zero, timers: TransactionTimers(tryingDelay: nil))
    #expect(actions == [.deliverRequest(invite)])
    let (_, immediate) = ServerInviteTransaction.start(request: invite, now: .zero, timers: TransactionTimers(tryingDelay: .zero))
    #expect(immediate == [.deliverRequest(invite), .transmit(invite.tryingResponse())])
}

@Test func serverInviteTimerGRetransmitsTheFinalResponseCappedAtT2AndTimerHTimesOut() {
    var (tx, _) = ServerInviteTransaction.start(request: invite, now: .zero)
    let busy = invite.response(486, toTag: "e1")
    #expect(tx.send(response: busy, now: .zero) == [.cancelTimer(.trying), .transmit(busy), .startTimer(.g, at: at(0.5)), .startTimer(.h, at: at(32))])
    #expect(tx.state == .completed)
    var fired: [Duration] = []
    while let g = tx.deadline(of: .g), g < at(32) {
        #expect(tx.timerFired(.g, now: g).transmittedMessages == [busy])
        fired.append(g)
    }
    // §17.2.1: T1 doubling, capped at T2.
    #expect(fired == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5].map(at))
    // A retransmitted INVITE gets the final response again.
    #expect(tx.receivedRetransmission(now: at(31.6)) == [.transmit(busy)])
    #expect(tx.timerFired(.h, now: at(32)) == [.timedOut, .cancelTimer(.g), .terminated])
    #expect(tx.state == .terminated)
}

@Test func serverInviteAckMovesToConfirmedAndTimerIEndsIt() {
    var (tx, _) = ServerInviteTransaction.start(request: invite, now: .zero)
    let busy = invite.response(486, toTag: "e1")
    _ = tx.send(response: busy, now: at(1))
    let ack = invite.ackForNon2xx(busy)
    #expect(tx.receivedAck(ack, now: at(1.2)) == [.cancelTimer(.g), .cancelTimer(.h), .startTimer(.i, at: at(6.2))])
    #expect(tx.state == .confirmed)
    // Confirmed absorbs ACK and INVITE retransmissions.
    #expect(tx.receivedAck(ack, now: at(1.3)) == [])
    #expect(tx.receivedRetransmission(now: at(1.4)) == [])
    #expect(tx.timerFired(.g, now: at(1.5)) == [])
    #expect(tx.timerFired(.i, now: at(6.2)) == [.terminated])
    #expect(tx.state == .terminated)
}

@Test func serverInviteAcceptedAbsorbsInviteRetransmissionsAndPassesTheTUs2xx() {
    var (tx, _) = ServerInviteTransaction.start(request: invite, now: .zero)
    let ok = invite.response(200, toTag: "e1")
    #expect(tx.send(response: ok, now: at(3)) == [.cancelTimer(.trying), .transmit(ok), .startTimer(.l, at: at(35))])
    #expect(tx.state == .accepted)
    // RFC 6026 §7.1: INVITE retransmissions are absorbed, never passed up, never answered here.
    #expect(tx.receivedRetransmission(now: at(3.2)) == [])
    // The TU's own 2xx retransmission (§13.3.1.4) goes out through the transaction.
    #expect(tx.send(response: ok, now: at(3.5)) == [.transmit(ok)])
    // A non-2xx after the 2xx is discarded.
    #expect(tx.send(response: invite.response(500, toTag: "e1"), now: at(4)) == [])
    let ack = TransactionFixtures.request("ACK", branch: invite.branch!, toTag: "e1")
    #expect(tx.receivedAck(ack, now: at(4)) == [.deliverAck(ack)])
    #expect(tx.timerFired(.l, now: at(35)) == [.terminated])
}

@Test func serverInviteOnAReliableTransportNeitherRetransmitsNorWaitsInConfirmed() {
    let tcp = TransactionFixtures.invite(transport: "TCP")
    var (tx, _) = ServerInviteTransaction.start(request: tcp, now: .zero)
    let busy = tcp.response(486, toTag: "e1")
    #expect(tx.send(response: busy, now: .zero) == [.cancelTimer(.trying), .transmit(busy), .startTimer(.h, at: at(32))])
    #expect(tx.receivedAck(tcp.ackForNon2xx(busy), now: at(0.1)) == [.cancelTimer(.h), .terminated])
}

@Test func serverInviteTransportErrorInformsTheTU() {
    var (tx, _) = ServerInviteTransaction.start(request: invite, now: .zero)
    #expect(tx.transportFailed(now: at(0.1)) == [.transportError, .cancelTimer(.trying), .terminated])
}
