import Testing
@testable import SIP

private func at(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
private let options = TransactionFixtures.request("OPTIONS", branch: "z9hG4bK-opt1")

@Test func serverNonInviteDeliversOnceAndDiscardsRetransmissionsWhileTrying() {
    var (tx, actions) = ServerNonInviteTransaction.start(request: options, now: .zero)
    #expect(tx.state == .trying)
    #expect(actions == [.deliverRequest(options)])
    #expect(tx.receivedRetransmission(now: at(0.5)) == [])
}

@Test func serverNonInviteProceedingResendsTheLastProvisional() {
    var (tx, _) = ServerNonInviteTransaction.start(request: options, now: .zero)
    let trying = options.response(100)
    #expect(tx.send(response: trying, now: at(0.1)) == [.transmit(trying)])
    #expect(tx.state == .proceeding)
    #expect(tx.receivedRetransmission(now: at(0.5)) == [.transmit(trying)])
}

@Test func serverNonInviteCompletedAbsorbsRetransmissionsWithTheFinalUntilTimerJ() {
    var (tx, _) = ServerNonInviteTransaction.start(request: options, now: .zero)
    let ok = options.response(200, toTag: "s1")
    #expect(tx.send(response: ok, now: at(1)) == [.transmit(ok), .startTimer(.j, at: at(33))])
    #expect(tx.state == .completed)
    #expect(tx.receivedRetransmission(now: at(1.5)) == [.transmit(ok)])
    // §17.2.2: other final responses from the TU are discarded.
    #expect(tx.send(response: options.response(500, toTag: "s1"), now: at(2)) == [])
    #expect(tx.timerFired(.j, now: at(32.9)) == [])
    #expect(tx.timerFired(.j, now: at(33)) == [.terminated])
    #expect(tx.state == .terminated)
}

@Test func serverNonInviteOnAReliableTransportEndsAtTheFinalResponse() {
    let tcp = TransactionFixtures.request("BYE", branch: "z9hG4bK-bye", transport: "TCP")
    var (tx, _) = ServerNonInviteTransaction.start(request: tcp, now: .zero)
    let ok = tcp.response(200)
    #expect(tx.send(response: ok, now: at(0.1)) == [.transmit(ok), .terminated])
}
