import Testing
@testable import SIP

private func at(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
private let invite = TransactionFixtures.invite()

@Test func clientInviteStartsInCallingWithTimersAAndB() {
    let (tx, actions) = ClientInviteTransaction.start(request: invite, now: .zero)
    #expect(tx.state == .calling)
    #expect(actions == [.transmit(invite), .startTimer(.a, at: at(0.5)), .startTimer(.b, at: at(32))])
}

@Test func clientInviteTimerARetransmitsAtDoublingIntervalsUntilTimerBTimesOut() {
    var (tx, _) = ClientInviteTransaction.start(request: invite, now: .zero)
    var fired: [Duration] = []
    while let a = tx.deadline(of: .a), a < at(32) {
        // Fired at a = T1*(2^k - 1), the next firing is 2a + T1: the interval doubled.
        #expect(tx.timerFired(.a, now: a) == [.transmit(invite), .startTimer(.a, at: a + a + at(0.5))])
        fired.append(a)
    }
    // §17.1.1.2: T1, 2*T1, 4*T1, ... with no cap for INVITE.
    #expect(fired == [at(0.5), at(1.5), at(3.5), at(7.5), at(15.5), at(31.5)])
    #expect(tx.timerFired(.b, now: at(32)) == [.timedOut, .cancelTimer(.a), .terminated])
    #expect(tx.state == .terminated)
}

@Test func clientInviteProvisionalStopsRetransmissionsAndTimerB() {
    var (tx, _) = ClientInviteTransaction.start(request: invite, now: .zero)
    let ringing = invite.response(180, toTag: "b1")
    #expect(tx.receivedResponse(ringing, now: at(0.2)) == [.cancelTimer(.a), .cancelTimer(.b), .deliverResponse(ringing)])
    #expect(tx.state == .proceeding)
    // A and B are no longer current: a late firing does nothing.
    #expect(tx.timerFired(.a, now: at(0.5)) == [])
    #expect(tx.timerFired(.b, now: at(32)) == [])
    let again = invite.response(183, toTag: "b1")
    #expect(tx.receivedResponse(again, now: at(1)) == [.deliverResponse(again)])
}

@Test func clientInviteAcksA486OnTheSameBranchAndAbsorbsItsRetransmissions() throws {
    var (tx, _) = ClientInviteTransaction.start(request: invite, now: .zero)
    _ = tx.receivedResponse(invite.response(180, toTag: "b1"), now: at(0.1))
    let busy = invite.response(486, toTag: "b1")
    let actions = tx.receivedResponse(busy, now: at(2))
    #expect(tx.state == .completed)
    let ack = try #require(actions.transmittedMessages.first)
    // §17.1.1.3: same branch (single Via), To with the response's tag, CSeq number with ACK.
    #expect(ack.method == "ACK")
    #expect(ack.via == invite.via)
    #expect(ack.branch == invite.branch)
    #expect(ack.to.tag == "b1")
    #expect(ack.cseq == CSeq(invite.cseq.number, "ACK"))
    #expect(ack.callID == invite.callID)
    #expect(ack.from == invite.from)
    #expect(ack.requestURI == invite.requestURI)
    #expect(actions == [.transmit(ack), .deliverResponse(busy), .startTimer(.d, at: at(34))])

    // A retransmitted 486 is ACKed again and not passed up twice.
    #expect(tx.receivedResponse(busy, now: at(2.5)) == [.transmit(ack)])
    #expect(tx.timerFired(.d, now: at(34)) == [.terminated])
    #expect(tx.state == .terminated)
}

@Test func clientInviteFinalResponseInCallingCancelsTimersAAndB() {
    var (tx, _) = ClientInviteTransaction.start(request: invite, now: .zero)
    let busy = invite.response(486, toTag: "b1")
    let actions = tx.receivedResponse(busy, now: at(0.3))
    #expect(Array(actions.prefix(2)) == [.cancelTimer(.a), .cancelTimer(.b)])
    #expect(actions.deliveredToTU == [.deliverResponse(busy)])
}

@Test func clientInviteAcceptedPassesEvery2xxUpAndEndsWithTimerM() {
    var (tx, _) = ClientInviteTransaction.start(request: invite, now: .zero)
    let ok = invite.response(200, toTag: "b1")
    #expect(tx.receivedResponse(ok, now: at(1)) == [.cancelTimer(.a), .cancelTimer(.b), .deliverResponse(ok), .startTimer(.m, at: at(33))])
    #expect(tx.state == .accepted)
    // RFC 6026 §7.2: 2xx retransmissions (and other forks' 2xx) still reach the TU, never ACKed here.
    #expect(tx.receivedResponse(ok, now: at(1.5)) == [.deliverResponse(ok)])
    let fork = invite.response(200, toTag: "c2")
    #expect(tx.receivedResponse(fork, now: at(2)) == [.deliverResponse(fork)])
    #expect(tx.receivedResponse(invite.response(486, toTag: "b1"), now: at(2)) == [])
    #expect(tx.timerFired(.m, now: at(33)) == [.terminated])
}

@Test func clientInviteOnAReliableTransportNeitherRetransmitsNorWaitsInCompleted() {
    let tcpInvite = TransactionFixtures.invite(transport: "TCP")
    let (started, actions) = ClientInviteTransaction.start(request: tcpInvite, now: .zero)
    #expect(actions == [.transmit(tcpInvite), .startTimer(.b, at: at(32))])
    var tx = started
    let busy = tcpInvite.response(486, toTag: "x")
    let ack = tcpInvite.ackForNon2xx(busy)
    // §17.1.1.2: Timer D is zero on reliable transports.
    #expect(tx.receivedResponse(busy, now: at(1)) == [.cancelTimer(.b), .transmit(ack), .deliverResponse(busy), .terminated])
    #expect(tx.state == .terminated)
}

@Test func clientInviteTransportErrorInformsTheTU() {
    var (tx, _) = ClientInviteTransaction.start(request: invite, now: .zero)
    #expect(tx.transportFailed(now: at(0.1)) == [.transportError, .cancelTimer(.a), .cancelTimer(.b), .terminated])
}

@Test func clientInviteIgnoresATimerFiringBeforeItsDeadline() {
    var (tx, _) = ClientInviteTransaction.start(request: invite, now: .zero)
    _ = tx.timerFired(.a, now: at(0.5))  // re-armed for 1.5
    // A stale firing of the old schedule is not current.
    #expect(tx.timerFired(.a, now: at(0.5)) == [])
    #expect(tx.timerFired(.a, now: at(1.5)).transmittedMessages == [invite])
}
