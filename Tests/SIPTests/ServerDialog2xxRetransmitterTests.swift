import Testing
@testable import SIP

private func at(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
private let ok = TransactionFixtures.invite().response(200, toTag: "e1")

@Test func dialog2xxIsRetransmittedAtT1DoublingUpToT2UntilTheGiveUp() {
    var (r, actions) = ServerDialog2xxRetransmitter.start(response: ok, now: .zero)
    #expect(actions == [.startTimer(.retransmit, at: at(0.5)), .startTimer(.giveUp, at: at(32))])
    var now = at(0.5)
    var fired: [Duration] = []
    while now < at(32) {
        let a = r.timerFired(.retransmit, now: now)
        #expect(a.first == .retransmit(ok))
        fired.append(now)
        guard case .startTimer(.retransmit, let next) = a.last else { Issue.record("not re-armed"); return }
        now = next
    }
    #expect(fired == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5].map(at))
    actions = r.timerFired(.giveUp, now: at(32))
    #expect(actions == [.cancelTimer(.retransmit), .ackTimedOut])
    #expect(r.state == .gaveUp)
    #expect(r.timerFired(.retransmit, now: at(35.5)) == [])
}

@Test func dialog2xxRetransmissionStopsAtTheAck() {
    var (r, _) = ServerDialog2xxRetransmitter.start(response: ok, now: .zero)
    _ = r.timerFired(.retransmit, now: at(0.5))
    #expect(r.receivedAck(now: at(0.7)) == [.cancelTimer(.retransmit), .cancelTimer(.giveUp)])
    #expect(r.state == .acknowledged)
    #expect(r.timerFired(.retransmit, now: at(1.5)) == [])
    #expect(r.timerFired(.giveUp, now: at(32)) == [])
}

@Test func dialog2xxOnAReliableTransportOnlyWaitsForTheAck() {
    let (_, actions) = ServerDialog2xxRetransmitter.start(response: ok, now: .zero, reliableTransport: true)
    #expect(actions == [.startTimer(.giveUp, at: at(32))])
}
