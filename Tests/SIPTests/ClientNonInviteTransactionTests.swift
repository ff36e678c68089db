import Testing
@testable import SIP

private func at(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
private let register = TransactionFixtures.request("REGISTER", branch: "z9hG4bK-reg1")

/// Fires Timer E until `until`, returning when it fired.
private func fireE(_ tx: inout ClientNonInviteTransaction, until end: Duration) -> [Duration] {
    var fired: [Duration] = []
    while let e = tx.deadline(of: .e), e < end {
        #expect(tx.timerFired(.e, now: e).transmittedMessages == [register])
        fired.append(e)
    }
    return fired
}

@Test func clientNonInviteStartsInTryingWithTimersEAndF() {
    let (tx, actions) = ClientNonInviteTransaction.start(request: register, now: .zero)
    #expect(tx.state == .trying)
    #expect(actions == [.transmit(register), .startTimer(.e, at: at(0.5)), .startTimer(.f, at: at(32))])
}

@Test func clientNonInviteTimerEDoublesUpToT2AndTimerFTimesOut() {
    var (tx, _) = ClientNonInviteTransaction.start(request: register, now: .zero)
    // §17.1.2.2: MIN(2*previous, T2): 0.5, 1, 2, 4, 4, 4 ... apart.
    #expect(fireE(&tx, until: at(32)) == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5].map(at))
    #expect(tx.timerFired(.f, now: at(32)) == [.timedOut, .cancelTimer(.e), .terminated])
    #expect(tx.state == .terminated)
}

@Test func clientNonInviteProceedingRetransmitsEveryT2() {
    var (tx, _) = ClientNonInviteTransaction.start(request: register, now: .zero)
    let trying = register.response(100)
    #expect(tx.receivedResponse(trying, now: at(0.2)) == [.deliverResponse(trying)])
    #expect(tx.state == .proceeding)
    // §17.1.2.2: the E armed in Trying fires at 0.5, then T2 apart.
    #expect(fireE(&tx, until: at(13)) == [0.5, 4.5, 8.5, 12.5].map(at))
    #expect(tx.timerFired(.f, now: at(32)).deliveredToTU == [.timedOut])
}

@Test func clientNonInviteFinalResponseCompletesAndTimerKEndsIt() {
    var (tx, _) = ClientNonInviteTransaction.start(request: register, now: .zero)
    let ok = register.response(200, toTag: "r1")
    #expect(tx.receivedResponse(ok, now: at(0.7)) == [.cancelTimer(.e), .cancelTimer(.f), .deliverResponse(ok), .startTimer(.k, at: at(5.7))])
    #expect(tx.state == .completed)
    // Retransmitted final responses are absorbed.
    #expect(tx.receivedResponse(ok, now: at(1)) == [])
    #expect(tx.timerFired(.e, now: at(1.5)) == [])
    #expect(tx.timerFired(.k, now: at(5.7)) == [.terminated])
    #expect(tx.state == .terminated)
}

@Test func clientNonInviteOnAReliableTransportEndsAtTheFinalResponse() {
    let tcp = TransactionFixtures.request("OPTIONS", branch: "z9hG4bK-o", transport: "TCP")
    let (started, actions) = ClientNonInviteTransaction.start(request: tcp, now: .zero)
    #expect(actions == [.transmit(tcp), .startTimer(.f, at: at(32))])
    var tx = started
    let ok = tcp.response(200)
    #expect(tx.receivedResponse(ok, now: at(0.1)) == [.cancelTimer(.f), .deliverResponse(ok), .terminated])
}

@Test func clientNonInviteTransportErrorInformsTheTU() {
    var (tx, _) = ClientNonInviteTransaction.start(request: register, now: .zero)
    #expect(tx.transportFailed(now: at(0.1)).deliveredToTU == [.transportError])
    #expect(tx.state == .terminated)
}
